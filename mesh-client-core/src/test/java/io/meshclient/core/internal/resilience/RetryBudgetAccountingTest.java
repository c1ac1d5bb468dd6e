package io.meshclient.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The retry budget is charged only for retries sent, and its reserve ({@code min-per-second}) holds one retry
 * at most. The clock is a {@link FakeTicker} that stands still unless the backend moves it, so the budget's
 * reserve never refills during a test.
 */
@Timeout(60)
class RetryBudgetAccountingTest {
  private final FakeTicker ticker = new FakeTicker();
  private final RetryCounts counting = new RetryCounts();
  private final AtomicInteger retries = counting.retries;
  private final AtomicInteger exhausted = counting.exhausted;

  /** Two attempts, no backoff, a budget of only its reserve: one retry a second. */
  private Mesh mesh(Backend backend, RetryConfig retry) {
    ServiceConfig service = ServiceConfig.builder("api")
        .retry(retry.withAttempts(2).withBackoff(Duration.ZERO, Duration.ZERO).withBudget(0, 1))
        .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
    return Mesh.builder().ticker(ticker).listener(counting)
        .discovery("memory", new InMemoryDiscovery().set("api", List.of(backend.instance("api", Map.of()))))
        .config(MeshConfig.builder().service(service).build()).build();
  }

  private static int get(Mesh mesh) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
      return response.code();
    }
  }

  @Test
  void theReserveOfOneRetryASecondLetsOneRetryThroughAtOnceNotTwo() throws Exception {
    try (Backend backend = new Backend("a").status(503); Mesh mesh = mesh(backend, RetryConfig.DEFAULT)) {
      ticker.advance(Duration.ofSeconds(10)); // a reserve left unused for long
      assertThat(get(mesh)).isEqualTo(503);
      assertThat(get(mesh)).isEqualTo(503);

      // "over any period of t seconds, retries are at most percent% of first attempts + min-per-second * t + 1":
      // 0% and t = 0 (the clock stood still) leave one retry. The reserve made a full bucket of two.
      assertThat(retries).hasValue(1);
      assertThat(exhausted).hasValue(1);
      assertThat(backend.requests()).isEqualTo(3);
    }
  }

  @Test
  void aRetryTheDeadlineLeavesNoTimeForTakesNothingFromTheBudget() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    try (Backend backend = new Backend("a")) {
      backend.onRequest(() -> {
        int n = requests.incrementAndGet();
        if (n == 1) {
          ticker.advance(Duration.ofSeconds(2)); // the first call's answer comes after its deadline
        }
        backend.status(n <= 2 ? 503 : 200);
      });
      try (Mesh mesh = mesh(backend, RetryConfig.DEFAULT.withDeadline(Duration.ofSeconds(1)))) {
        assertThat(get(mesh)).isEqualTo(503); // past its deadline: not retried
        assertThat(retries).hasValue(0);

        // The only retry the budget holds was taken for the first call's retry, which was never sent.
        assertThat(get(mesh)).isEqualTo(200);
        assertThat(retries).hasValue(1);
        assertThat(exhausted).hasValue(0);
        assertThat(backend.requests()).isEqualTo(3);
      }
    }
  }

  @Test
  void aHedgeTheHalfOpenBreakerRefusesTakesNothingFromTheBudget() throws Exception {
    try (Backend slow = new Backend("slow").delay(400); Backend fast = new Backend("fast")) {
      ServiceConfig service = ServiceConfig.builder("api").loadBalancer("first").subset("all", Map.of())
          .retry(RetryConfig.NONE.withBudget(0, 1)).outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF)
          .circuitBreaker(io.meshclient.core.config.BreakerConfig.DEFAULT.withWindow(4, 4).withHalfOpenProbes(1))
          .route(io.meshclient.core.config.RouteConfig.to(io.meshclient.core.config.RouteConfig.Match.ANY, "all")
              .withName("hedged").withHedge(io.meshclient.core.config.HedgeConfig.after(Duration.ofMillis(50))))
          .build();
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("api", List.of(slow.instance("api", Map.of()), fast.instance("api", Map.of())));
      try (Mesh mesh = Mesh.builder().ticker(ticker).listener(counting).discovery("memory", discovery)
          .config(MeshConfig.builder().service(service).build()).build()) {
        mesh.circuitBreakerRegistry().circuitBreaker("api").transitionToOpenState();
        ticker.advance(Duration.ofSeconds(61)); // past open-for: the next call is the one half-open probe
        assertThat(get(mesh)).isEqualTo(200); // its hedge refused by the breaker, the slow answer closes it
        assertThat(fast.requests()).isZero();

        // The budget's one retry was taken for the first call's hedge, which the breaker then refused.
        assertThat(get(mesh)).isEqualTo(200);
        assertThat(exhausted).hasValue(0);
        assertThat(fast.requests()).isEqualTo(1);
      }
    }
  }
}
