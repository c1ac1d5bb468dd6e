package io.meshclient.samples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class QuickstartAppTest {

  @Test
  @Timeout(60)
  void splitHeaderRouteAndRateLimitAreObservedByTheBackends() throws Exception {
    Summary summary = QuickstartApp.run(5000);
    assertThat(summary.failed()).as("failures: %s", summary.failures()).isZero();
    assertThat(summary.splitShare("v1")).isCloseTo(80.0, within(3.0));
    assertThat(summary.splitShare("v3")).isCloseTo(20.0, within(3.0));
    assertThat(summary.received("v2")).isEqualTo(summary.receivedFromJason("v2"));
    assertThat(summary.receivedFromJason("v1") + summary.receivedFromJason("v3")).isZero();
    assertThat(summary.rateLimited()).isPositive();
    assertThat(summary.received("v2") + summary.rateLimited()).isEqualTo(1000);
    assertThat(summary.render()).contains("jason-to-v2", "split-v1-v3");
  }
}
