package io.meshclient.core.internal.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.core.Backend;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.StringMatch;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A permit the mesh took for a call that is then never sent (its wait interrupted, or refused by the
 * service's limit after the route's) goes back to its bucket: before, the next caller was charged for it.
 * The mesh's clock is frozen, so only the permits taken decide what is admitted.
 */
@Timeout(30)
class PermitGivenBackTest {
  private final FakeTicker ticker = new FakeTicker();

  private Mesh mesh(Backend backend, ServiceConfig service) {
    return Mesh.builder().ticker(ticker).config(MeshConfig.builder().service(service).build())
        .discovery("memory", new InMemoryDiscovery().set("api", List.of(backend.instance("api", Map.of()))))
        .build();
  }

  private static int get(Mesh mesh, String path) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api" + path).build())
        .execute()) {
      return response.code();
    }
  }

  /** Route {@code a} ({@code /a...}) allows 1 call per 100 s; the service's own limit is {@code serviceLimit}. */
  private static ServiceConfig limitedRouteA(RateLimitConfig serviceLimit) {
    return ServiceConfig.builder("api").subset("all", Map.of())
        .route(RouteConfig.to(RouteConfig.Match.path(StringMatch.prefix("/a")), "all").withName("a")
            .withRateLimit(new RateLimitConfig(1, Duration.ofSeconds(100), 1, Duration.ZERO)))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "all"))
        .rateLimit(serviceLimit).build();
  }

  private static RateLimiter limiter(Mesh mesh, String name) {
    return mesh.rateLimiterRegistry().find(name).orElseThrow();
  }

  /** Runs {@code get(path)} on its own thread, interrupts it once it waits on {@code limiter}, returns what it threw. */
  private static Throwable interruptedWhileWaiting(Mesh mesh, String path, RateLimiter limiter) throws Exception {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try {
        get(mesh, path);
        thrown.complete(null);
      } catch (Throwable t) {
        thrown.complete(t);
      }
      flagKept.complete(Thread.currentThread().isInterrupted());
    }, "permit-waiter");
    caller.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (limiter.getMetrics().getNumberOfWaitingThreads() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(limiter.getMetrics().getNumberOfWaitingThreads()).as("the caller waits for a permit").isEqualTo(1);
    caller.interrupt();
    assertThat(flagKept.get(10, TimeUnit.SECONDS)).as("the caller's interrupt flag is kept").isTrue();
    return thrown.get();
  }

  @Test
  void aCallerInterruptedWhileWaitingForAPermitGivesItBack() throws Exception {
    try (Backend backend = new Backend("b");
        Mesh mesh = mesh(backend, ServiceConfig.builder("api")
            .rateLimit(new RateLimitConfig(1, Duration.ofSeconds(10), 1, Duration.ofSeconds(30))).build())) {
      assertThat(get(mesh, "/first")).isEqualTo(200);
      RateLimiter limiter = limiter(mesh, "api");

      assertThat(interruptedWhileWaiting(mesh, "/second", limiter))
          .isInstanceOf(InterruptedIOException.class)
          .hasMessage("interrupted while waiting for a permit of rate limiter api");

      ticker.advance(Duration.ofSeconds(10));
      assertThat(limiter.getMetrics().getAvailablePermissions())
          .as("the permit of the first call has come back; the interrupted one's was never spent").isEqualTo(1);
      long start = System.nanoTime();
      assertThat(get(mesh, "/third")).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the third call waits for nobody's permit")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(backend.requests()).isEqualTo(2);
    }
  }

  @Test
  void aRoutePermitIsGivenBackWhenTheServiceLimitRefusesTheCall() throws Exception {
    ServiceConfig service = limitedRouteA(new RateLimitConfig(1, Duration.ofSeconds(1), 1, Duration.ZERO));
    try (Backend backend = new Backend("b"); Mesh mesh = mesh(backend, service)) {
      assertThat(get(mesh, "/b")).isEqualTo(200);
      assertThatThrownBy(() -> get(mesh, "/a"))
          .isInstanceOf(RateLimitExceededException.class)
          .hasMessage("rate limit 'api' of service 'api' exceeded");
      assertThat(limiter(mesh, "api/a").getMetrics().getAvailablePermissions()).isEqualTo(1);

      ticker.advance(Duration.ofSeconds(1));
      assertThat(get(mesh, "/a")).as("the route's permit, not spent on the refused call").isEqualTo(200);
      assertThat(backend.requests()).isEqualTo(2);
    }
  }

  @Test
  void aCallInterruptedWhileWaitingForTheServicePermitGivesBackBothPermits() throws Exception {
    ServiceConfig service = limitedRouteA(new RateLimitConfig(1, Duration.ofSeconds(20), 1, Duration.ofSeconds(30)));
    try (Backend backend = new Backend("b"); Mesh mesh = mesh(backend, service)) {
      assertThat(get(mesh, "/b")).isEqualTo(200);

      assertThat(interruptedWhileWaiting(mesh, "/a", limiter(mesh, "api")))
          .isInstanceOf(InterruptedIOException.class);

      ticker.advance(Duration.ofSeconds(20));
      assertThat(limiter(mesh, "api/a").getMetrics().getAvailablePermissions()).isEqualTo(1);
      assertThat(limiter(mesh, "api").getMetrics().getAvailablePermissions()).isEqualTo(1);
      assertThat(get(mesh, "/a")).isEqualTo(200);
      assertThat(backend.requests()).isEqualTo(2);
    }
  }
}
