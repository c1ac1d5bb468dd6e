package io.meshclient.core.config;

import static io.meshclient.core.config.ConfigValidationTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResilienceConfigTest {

  @Test
  void everyResilienceKeyIsRead() throws Exception {
    MeshConfig config = yaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 } }
              circuit-breaker: { failure-rate-threshold: 40%, slow-call-rate-threshold: 80%, slow-call-duration: 2s,
                                 sliding-window: 50, minimum-calls: 10, open-for: 5s, half-open-probes: 2 }
              retry: { attempts: 3, per-try-timeout: 300ms, deadline: 2s, on: [connect-failure, reset, 503],
                       backoff: { base: 10ms, max: 100ms }, budget: { percent: 25%, min-per-second: 5 } }
              outlier-detection: { consecutive-failures: 4, base-ejection: 10s, max-ejection: 60s,
                                   max-ejected: 30%, panic-threshold: 40%, consecutive-gateway-errors: 3 }
              routes:
                - to: v1
                  retry: { non-idempotent: true, attempts: 2 }
                  fault: { delay: { percent: 5, duration: 100ms }, abort: { percent: 0.5%, status: 503 },
                           header: x-chaos }
        """);
    ServiceConfig s = config.service("reviews");
    assertThat(s.circuitBreaker()).isEqualTo(new BreakerConfig(40, 80, Duration.ofSeconds(2), 50, 10,
        Duration.ofSeconds(5), 2));
    assertThat(s.retry().attempts()).isEqualTo(3);
    assertThat(s.retry().perTryTimeout()).hasMillis(300);
    assertThat(s.retry().deadline()).hasSeconds(2);
    assertThat(s.retry().on()).containsExactlyInAnyOrder(RetryConfig.Condition.CONNECT_FAILURE,
        RetryConfig.Condition.RESET);
    assertThat(s.retry().statuses()).containsExactly(503);
    assertThat(s.retry().backoffBase()).hasMillis(10);
    assertThat(s.retry().budgetPercent()).isEqualTo(25);
    assertThat(s.retry().budgetMinPerSecond()).isEqualTo(5);
    assertThat(s.retry().nonIdempotent()).isFalse();
    assertThat(s.outlierDetection()).isEqualTo(new OutlierConfig(4, Duration.ofSeconds(10), Duration.ofSeconds(60),
        30, 40, 3));
    RouteConfig route = s.routes().get(0);
    assertThat(route.retry().nonIdempotent()).isTrue();
    assertThat(route.retry().attempts()).isEqualTo(2);
    assertThat(route.retry().perTryTimeout()).as("inherited from the service").hasMillis(300);
    assertThat(route.fault()).isEqualTo(new FaultConfig(5, Duration.ofMillis(100), 0.5, 503, "x-chaos"));
  }

  @Test
  void slowEjectionIsReadAndCheckedNamingEachKey() throws Exception {
    MeshConfig config = yaml("""
        mesh:
          services:
            reviews: { outlier-detection: { slow-ejection: { factor: 4, interval: 2s, min-requests: 50 } } }
            ratings: { outlier-detection: { consecutive-failures: 3 } }
        """);
    assertThat(config.service("reviews").outlierDetection()).isEqualTo(OutlierConfig.DEFAULT.withSlowEjection(
        new OutlierConfig.SlowEjection(4, Duration.ofSeconds(2), 50, 3)));
    assertThat(config.service("ratings").outlierDetection().slowEjection()).isEqualTo(OutlierConfig.SlowEjection.OFF);
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews: { outlier-detection: { slow-ejection: { factor: 1, interval: 5ms, min-requests: 0,
                                                             min-instances: 1 } } }
            ratings: { outlier-detection: { slow-ejection: { facter: 5 } } }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.ratings.outlier-detection.slow-ejection.facter: unknown key (expected: one of [factor, "
                + "interval, min-instances, min-requests]; did you mean 'factor'?)",
            "mesh.services.reviews.outlier-detection.slow-ejection.factor: 1 (expected: 0 (off) or 2..1000)",
            "mesh.services.reviews.outlier-detection.slow-ejection.interval: 5ms (expected: between 10ms and 1h)",
            "mesh.services.reviews.outlier-detection.slow-ejection.min-requests: 0 (expected: 1..1000000)",
            "mesh.services.reviews.outlier-detection.slow-ejection.min-instances: 1 (expected: 2..1000000)"));
  }

  @Test
  void failurePercentageAndSuccessRateAreReadAndCheckedNamingEachKey() throws Exception {
    MeshConfig config = yaml("""
        mesh:
          services:
            reviews:
              outlier-detection:
                interval: 5s
                failure-percentage: { threshold: 20%, min-requests: 30 }
                success-rate: { stdev-factor: 1.9, min-instances: 3 }
            ratings: { outlier-detection: { consecutive-failures: 3 } }
        """);
    assertThat(config.service("reviews").outlierDetection()).isEqualTo(OutlierConfig.DEFAULT.withRateEjection(
        Duration.ofSeconds(5), new OutlierConfig.FailurePercentage(20, 30, 5), new OutlierConfig.SuccessRate(1.9, 100, 3)));
    OutlierConfig ratings = config.service("ratings").outlierDetection();
    assertThat(ratings.judgesRates()).isFalse();
    assertThat(ratings.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              outlier-detection:
                interval: 5ms
                failure-percentage: { threshold: 101%, min-requests: 0, min-instances: 0 }
                success-rate: { stdev-factor: 1.9d, min-instances: 1 }
            ratings: { outlier-detection: { success-rate: { stdev-factor: -1, min-request: 5 } } }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "mesh.services.ratings.outlier-detection.success-rate.min-request: unknown key (expected: one of "
                + "[min-instances, min-requests, stdev-factor]; did you mean 'min-requests'?)",
            "mesh.services.ratings.outlier-detection.success-rate.stdev-factor: -1 (expected: a number from 0 to 100)",
            "mesh.services.reviews.outlier-detection.success-rate.stdev-factor: 1.9d (expected: a number from 0 to 100)",
            "mesh.services.reviews.outlier-detection.interval: 5ms (expected: between 10ms and 1h)",
            "mesh.services.reviews.outlier-detection.failure-percentage.threshold: 101 (expected: a percentage from "
                + "0% to 100%)",
            "mesh.services.reviews.outlier-detection.failure-percentage.min-requests: 0 (expected: 1..1000000)",
            "mesh.services.reviews.outlier-detection.failure-percentage.min-instances: 0 (expected: 1..1000000)",
            "mesh.services.reviews.outlier-detection.success-rate.min-instances: 1 (expected: 2..1000000)"));
  }

  @Test
  void outlierDetectionCanBeTurnedOff() throws Exception {
    MeshConfig config = yaml("""
        mesh:
          services:
            reviews: { outlier-detection: { enabled: false } }
        """);
    assertThat(config.service("reviews").outlierDetection()).isEqualTo(ServiceConfig.OUTLIER_DETECTION_OFF);
  }

  @Test
  void badResilienceValuesAreRefusedNamingEachKey() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              circuit-breaker: { failure-rate-threshold: 150%, half-open-probes: 0 }
              retry: { attempts: 0, on: [connect-failure, sometimes], non-idempotent: true,
                       backoff: { base: 100ms, max: 10ms } }
              outlier-detection: { consecutive-failures: -1, consecutive-gateway-errors: -2, max-ejected: 120% }
              subsets: { v1: { version: v1 } }
              routes:
                - to: v1
                  fault: { abort: { percent: 120, status: 42 }, header: "bad header" }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.retry.non-idempotent: true (expected: set on a route "
                + "(mesh.services.<service>.routes[i].retry), never for a whole service)",
            "mesh.services.reviews.retry.on: sometimes (expected: connect-failure, reset, timeout or an HTTP status such as 503)",
            "mesh.services.reviews.circuit-breaker.failure-rate-threshold: 150 (expected: a percentage from 1% to 100%)",
            "mesh.services.reviews.circuit-breaker.half-open-probes: 0 (expected: 1..10000 calls)",
            "mesh.services.reviews.retry.attempts: 0 (expected: 1..10 (1 turns retries off))",
            "mesh.services.reviews.retry.backoff.max: 10ms (expected: >= backoff.base (100ms))",
            "mesh.services.reviews.outlier-detection.consecutive-failures: -1 (expected: >= 0)",
            "mesh.services.reviews.outlier-detection.consecutive-gateway-errors: -2 (expected: >= 0)",
            "mesh.services.reviews.outlier-detection.max-ejected: 120 (expected: a percentage from 0% to 100%)",
            "mesh.services.reviews.routes[0].fault.abort.percent: 120.0 (expected: 0..100)",
            "mesh.services.reviews.routes[0].fault.abort.status: 42 (expected: an HTTP status from 200 to 599)",
            "mesh.services.reviews.routes[0].fault.header: bad header (expected: a header name (RFC 9110 token))"));
  }

  /**
   * A misspelt retry condition is one problem: the words left were also refused as an empty {@code on: []}, a list
   * the newcomer never wrote.
   */
  @Test
  void aMisspeltRetryConditionIsReportedOnceNotAlsoAsAnEmptyList() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              retry: { on: [connect-faliure] }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.retry.on: connect-faliure (expected: connect-failure, reset, timeout or an HTTP "
                + "status such as 503)"));
  }

  /** A route's latency histogram keeps about 5000 samples: a larger minimum was accepted and never met. */
  @Test
  void hedgeMinimumSamplesBeyondWhatTheRouteKeepsIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              routes:
                - to: { service: reviews }
                  hedge: { after: p95, min-samples: 20000 }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.routes[0].hedge.min-samples: 20000 (expected: 1..5000)"));
  }

  /** An attempt that timed out is never hedged: a delay as long as the attempt's timeout validated and did nothing. */
  @Test
  void aFixedHedgeDelayMustBeShorterThanTheAttemptsTimeout() throws Exception {
    assertThatThrownBy(() -> yaml("""
        mesh:
          defaults: { timeout: 1s }
          services:
            reviews:
              routes:
                - to: { service: reviews }
                  hedge: { after: 1s }
                - to: { service: reviews }
                  timeout: 5s
                  retry: { per-try-timeout: 200ms }
                  hedge: { after: 300ms }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.routes[0].hedge.after: 1s (expected: less than the attempt's timeout (1s): a "
                + "hedge is sent only while an attempt waits)",
            "mesh.services.reviews.routes[1].hedge.after: 300ms (expected: less than the attempt's timeout (200ms): a "
                + "hedge is sent only while an attempt waits)"));
    assertThat(yaml("""
        mesh:
          defaults: { timeout: 1s }
          services:
            reviews:
              timeout: 5s
              routes:
                - to: { service: reviews }
                  hedge: { after: 1s }
        """).service("reviews").routes().get(0).hedge().after()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void defaultsAreWhatTheReadmeSays() {
    assertThat(RetryConfig.DEFAULT.attempts()).isEqualTo(2);
    assertThat(RetryConfig.DEFAULT.on()).isEqualTo(Set.of(RetryConfig.Condition.CONNECT_FAILURE,
        RetryConfig.Condition.RESET));
    assertThat(RetryConfig.DEFAULT.statuses()).containsExactlyInAnyOrder(502, 503, 504);
    assertThat(RetryConfig.DEFAULT.budgetPercent()).isEqualTo(20);
    assertThat(RetryConfig.DEFAULT.budgetMinPerSecond()).isEqualTo(10);
    assertThat(OutlierConfig.DEFAULT).isEqualTo(new OutlierConfig(5, Duration.ofSeconds(30), Duration.ofSeconds(300),
        50, 50));
  }
}
