package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A short run of {@link KillScenario}; {@code benchmarks/run.sh chaos} runs it for 20 s. */
@Timeout(60)
class KillTest {

  @Test
  void killedBackendCostsNoGetAndDuplicatesNoPost() throws Exception {
    KillScenario.Result result = KillScenario.run(KillScenario.Mode.KILL, Duration.ofSeconds(4), 8);
    System.out.println(result.line());
    assertThat(result.gets()).isGreaterThan(1000);
    assertThat(result.failedGets()).isZero();
    assertThat(result.duplicatedPosts()).isZero();
    assertThat(result.retries()).isPositive();
    assertThat(result.ejections()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void blackHoledBackendCostsNoGetAndDuplicatesNoPost() throws Exception {
    KillScenario.Result result = KillScenario.run(KillScenario.Mode.BLACK_HOLE, Duration.ofSeconds(4), 8);
    System.out.println(result.line());
    assertThat(result.gets()).isGreaterThan(1000);
    assertThat(result.failedGets()).isZero();
    assertThat(result.duplicatedPosts()).isZero();
    assertThat(result.retries()).isPositive();
    assertThat(result.ejections()).isGreaterThanOrEqualTo(1);
  }
}
