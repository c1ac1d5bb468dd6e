package io.meshclient.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.core.Backend;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshInternals;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.StringMatch;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TimeoutTest {

  private static Mesh mesh(Backend backend, ServiceConfig service) {
    return Mesh.builder().discovery("memory", new InMemoryDiscovery().set("api",
            List.of(backend.instance("api", Map.of()))))
        .config(MeshConfig.builder().service(service).build()).build();
  }

  private static int get(Mesh mesh, String path) throws IOException {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api" + path).build()).execute()) {
      return r.code();
    }
  }

  @Test
  void theDeadlineEndsRetriesWhateverAttemptsAreLeft() throws Exception {
    // 10 attempts of 400 ms would take 4 s: the 1 s deadline ends the call well before, with a margin both ways.
    try (Backend slowFailing = new Backend("b").status(503).delay(400)) {
      ServiceConfig service = ServiceConfig.builder("api")
          .retry(RetryConfig.DEFAULT.withAttempts(10).withOn(Set.of(), Set.of(503)).withBudget(1000, 100)
              .withBackoff(Duration.ZERO, Duration.ZERO).withDeadline(Duration.ofSeconds(1)))
          .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
      try (Mesh mesh = mesh(slowFailing, service)) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> get(mesh, "/x")).isInstanceOf(InterruptedIOException.class);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMillis).isBetween(900L, 2500L);
        assertThat(slowFailing.requests()).isBetween(2, 4);
      }
    }
  }

  @Test
  void aRouteCanHaveItsOwnPerTryTimeoutAndConnectTimeout() throws Exception {
    // Per-try timeout 300 ms, answer after 3 s, bound 1.5 s: the margins absorb a loaded machine's scheduling.
    try (Backend slow = new Backend("b").delay(3000)) {
      ServiceConfig service = ServiceConfig.builder("api").subset("all", Map.of())
          .connectTimeout(Duration.ofMillis(700))
          .route(RouteConfig.to(RouteConfig.Match.path(StringMatch.prefix("/fast")), "all")
              .withRetry(RetryConfig.NONE.withPerTryTimeout(Duration.ofMillis(300)))
              .withConnectTimeout(Duration.ofMillis(50)))
          .route(RouteConfig.to(RouteConfig.Match.ANY, "all"))
          .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
      try (Mesh mesh = mesh(slow, service)) {
        assertThat(get(mesh, "/relaxed")).isEqualTo(200);
        long start = System.nanoTime();
        assertThatThrownBy(() -> get(mesh, "/fast/x")).isInstanceOf(InterruptedIOException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1500);
        var runtime = MeshInternals.runtime(mesh).service("api");
        assertThat(runtime.defaultPlan().connectTimeoutMillis()).isEqualTo(700);
        assertThat(runtime.plan(0).connectTimeoutMillis()).isEqualTo(50);
        assertThat(runtime.plan(1).connectTimeoutMillis()).isEqualTo(700);
      }
    }
  }
}
