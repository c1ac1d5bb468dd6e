package io.meshclient.core.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.CallOutcome;
import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MeshMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MeshMetrics metrics = new MeshMetrics(registry);

  @Test
  void callsAreTimedWithSpringStyleTagsAndNoInstanceTag() {
    metrics.onCallComplete("reviews", "v2", "GET", 200, CallOutcome.SUCCESS, TimeUnit.MILLISECONDS.toNanos(3));
    metrics.onCallComplete("reviews", "v2", "GET", 200, CallOutcome.SUCCESS, TimeUnit.MILLISECONDS.toNanos(5));
    metrics.onCallComplete("reviews", null, "POST", 0, CallOutcome.CONNECT_FAILURE, 1000);
    var ok = registry.get(MeshMetricNames.REQUESTS).tags("service", "reviews", "subset", "v2", "method", "GET",
        "status", "200", "outcome", "SUCCESS", "error", "none").timer();
    assertThat(ok.count()).isEqualTo(2);
    assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(8.0);
    assertThat(registry.get(MeshMetricNames.REQUESTS).tags("subset", "all", "status", "CLIENT_ERROR",
        "outcome", "UNKNOWN", "error", "connect-failure").timer().count()).isEqualTo(1);
    assertThat(registry.get(MeshMetricNames.REQUESTS).timers()).allSatisfy(t ->
        assertThat(t.getId().getTag("instance")).isNull());
  }

  @Test
  void resilienceEventsBecomeCountersAndAnEjectedGauge() {
    metrics.onRetry("reviews", "reset");
    metrics.onRetryBudgetExhausted("reviews");
    metrics.onBreakerRejected("reviews");
    metrics.onEjected("reviews", "a", 1);
    metrics.onEjected("reviews", "b", 1);
    metrics.onReturned("reviews", "a");
    metrics.onFaultInjected("reviews", "chaos", "abort");
    metrics.onRateLimited("reviews", "reviews");
    metrics.onConcurrencyLimited("reviews");
    assertThat(registry.get(MeshMetricNames.RETRIES).tag("reason", "reset").counter().count()).isEqualTo(1);
    assertThat(registry.get(MeshMetricNames.RETRY_BUDGET_EXHAUSTED).counter().count()).isEqualTo(1);
    assertThat(registry.get(MeshMetricNames.BREAKER_REJECTED).counter().count()).isEqualTo(1);
    assertThat(registry.get(MeshMetricNames.EJECTIONS).counter().count()).isEqualTo(2);
    assertThat(registry.get(MeshMetricNames.EJECTED).gauge().value()).isEqualTo(1);
    assertThat(registry.get(MeshMetricNames.FAULTS).tags("route", "chaos", "kind", "abort").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(MeshMetricNames.RATE_LIMITED).counter().count()).isEqualTo(1);
    assertThat(registry.get(MeshMetricNames.CONCURRENCY_LIMITED).counter().count()).isEqualTo(1);
  }
}
