package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.meshclient.api.CallOutcome;
import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.StringMatch;
import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OkHttp's {@link Call#cancel()} does not interrupt the calling thread: a cancelled call waiting before it
 * is sent (a fault injection's delay, a rate limit's {@code max-wait}) ends within a slice of its wait,
 * failing as OkHttp fails a cancelled call, counted as a cancel, and gives back the permit it waited for.
 * Before, it held its thread (and its permit) for the whole wait. Real calls to a server on 127.0.0.1,
 * cancelled from the test's thread.
 */
@Timeout(60)
class CancelDuringWaitTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<CallRecord> records = new CopyOnWriteArrayList<>();
  private final CountDownLatch delayed = new CountDownLatch(1);
  private final FakeTicker ticker = new FakeTicker();

  private Mesh.Builder mesh(Backend backend, ServiceConfig service) {
    return Mesh.builder().config(MeshConfig.builder().service(service).build())
        .discovery("memory", new InMemoryDiscovery().set("api", List.of(backend.instance("api", Map.of()))))
        .meterRegistry(meters)
        .callListenerFactory((name, request) -> new CallListener() {
          @Override
          public void onEnd(CallRecord record) {
            records.add(record);
          }
        });
  }

  private static Request get(String path) {
    return new Request.Builder().url("http://api" + path).build();
  }

  /** Runs {@code call} on its own thread; completes with what it threw (null: it answered). */
  private static CompletableFuture<Throwable> inBackground(Call call) {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    new Thread(() -> {
      try (Response response = call.execute()) {
        thrown.complete(null);
      } catch (Throwable t) {
        thrown.complete(t);
      }
    }, "cancelled-caller").start();
    return thrown;
  }

  /** Cancels {@code call} and returns how long it took to fail, after checking it failed as cancelled. */
  private static Duration cancel(Call call, CompletableFuture<Throwable> thrown) throws Exception {
    long cancelled = System.nanoTime();
    call.cancel();
    Throwable failure = thrown.get(30, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - cancelled);
    assertThat(failure).isExactlyInstanceOf(IOException.class).hasMessage("Canceled");
    return took;
  }

  /** The calls {@code mesh.client.requests} counted with the {@code error} tag {@code error}. */
  private long requests(String error) {
    return meters.find(MeshMetricNames.REQUESTS).tag(MeshMetricNames.ERROR, error).timers().stream()
        .mapToLong(Timer::count).sum();
  }

  @Test
  void aCallCancelledDuringAnInjectedDelayEndsWithinASliceWithoutBeingSent() throws Exception {
    ServiceConfig service = ServiceConfig.builder("api").subset("all", Map.of())
        .route(RouteConfig.to(RouteConfig.Match.ANY, "all").withName("chaos")
            .withFault(FaultConfig.delay(100, Duration.ofSeconds(5))))
        .build();
    MeshListener onDelay = new MeshListener() {
      @Override
      public void onFaultInjected(String service, String route, String kind) {
        delayed.countDown();
      }
    };
    try (Backend backend = new Backend("b"); Mesh mesh = mesh(backend, service).listener(onDelay).build()) {
      Call call = mesh.httpClient().newCall(get("/delayed"));
      CompletableFuture<Throwable> thrown = inBackground(call);
      assertThat(delayed.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);

      assertThat(cancel(call, thrown)).as("the 5 s delay ends within a slice of the cancel")
          .isLessThan(Duration.ofMillis(1500));
      assertThat(backend.requests()).as("a call cancelled during its delay is never sent").isZero();
      assertThat(requests("cancelled")).as("counted as a cancel").isEqualTo(1);
      assertThat(meters.find(MeshMetricNames.FAULTS).tag(MeshMetricNames.ROUTE, "chaos")
          .tag(MeshMetricNames.KIND, "delay").counter().count())
          .as("the delay counted once, when it started, as Envoy's fault.delays_injected").isEqualTo(1.0);
      assertThat(records).singleElement().satisfies(r -> {
        assertThat(r.reason()).isEqualTo(CallRecord.Reason.CANCELLED);
        assertThat(r.outcome()).isEqualTo(CallOutcome.CANCELLED);
        assertThat(r.attempts()).isZero();
      });
    }
  }

  /** The call waits on {@code limiter} for a permit; once it does, cancels it and checks it ended in time. */
  private void cancelWhileWaiting(Mesh mesh, String path, RateLimiter limiter) throws Exception {
    Call call = mesh.httpClient().newCall(get(path));
    CompletableFuture<Throwable> thrown = inBackground(call);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (limiter.getMetrics().getNumberOfWaitingThreads() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(limiter.getMetrics().getNumberOfWaitingThreads()).as("the call waits for a permit").isEqualTo(1);
    Thread.sleep(200);
    assertThat(cancel(call, thrown)).as("the wait of 10 s and more ends within a slice of the cancel")
        .isLessThan(Duration.ofMillis(1500));
    assertThat(limiter.getMetrics().getNumberOfWaitingThreads()).isZero();
  }

  private static RateLimiter limiter(Mesh mesh, String name) {
    return mesh.rateLimiterRegistry().find(name).orElseThrow();
  }

  /** Calls {@code path}, checks it is answered, returns how long it took. */
  private static Duration timedGet(Mesh mesh, String path) throws IOException {
    long start = System.nanoTime();
    try (Response response = mesh.httpClient().newCall(get(path)).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Test
  void aCallCancelledWhileWaitingForAPermitEndsWithinASliceAndGivesItBack() throws Exception {
    // 1 permit per 10 s, waited for up to 30 s; the mesh's clock is frozen, so only permits taken decide.
    ServiceConfig service = ServiceConfig.builder("api")
        .rateLimit(new RateLimitConfig(1, Duration.ofSeconds(10), 1, Duration.ofSeconds(30))).build();
    try (Backend backend = new Backend("b"); Mesh mesh = mesh(backend, service).ticker(ticker).build()) {
      assertThat(timedGet(mesh, "/first")).isLessThan(Duration.ofSeconds(5));
      RateLimiter limiter = limiter(mesh, "api");

      cancelWhileWaiting(mesh, "/second", limiter);
      assertThat(backend.requests()).as("the cancelled call is never sent").isEqualTo(1);
      assertThat(requests("cancelled")).as("counted as a cancel").isEqualTo(1);
      assertThat(records).hasSize(2).last().satisfies(r -> {
        assertThat(r.reason()).isEqualTo(CallRecord.Reason.CANCELLED);
        assertThat(r.outcome()).isEqualTo(CallOutcome.CANCELLED);
      });

      ticker.advance(Duration.ofSeconds(10));
      assertThat(limiter.getMetrics().getAvailablePermissions())
          .as("the first call's permit has come back; the cancelled one's was never spent").isEqualTo(1);
      assertThat(timedGet(mesh, "/third")).as("the third call waits for nobody's permit")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(backend.requests()).isEqualTo(2);
    }
  }

  @Test
  void aCallCancelledWhileWaitingForTheServicePermitGivesBackItsRoutePermitToo() throws Exception {
    // Route a: 1 permit per 100 s, no wait; the service: 1 per 20 s, waited for up to 30 s.
    ServiceConfig service = ServiceConfig.builder("api").subset("all", Map.of())
        .route(RouteConfig.to(RouteConfig.Match.path(StringMatch.prefix("/a")), "all").withName("a")
            .withRateLimit(new RateLimitConfig(1, Duration.ofSeconds(100), 1, Duration.ZERO)))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "all"))
        .rateLimit(new RateLimitConfig(1, Duration.ofSeconds(20), 1, Duration.ofSeconds(30))).build();
    try (Backend backend = new Backend("b"); Mesh mesh = mesh(backend, service).ticker(ticker).build()) {
      assertThat(timedGet(mesh, "/b")).isLessThan(Duration.ofSeconds(5));

      cancelWhileWaiting(mesh, "/a", limiter(mesh, "api"));

      ticker.advance(Duration.ofSeconds(20));
      assertThat(limiter(mesh, "api/a").getMetrics().getAvailablePermissions())
          .as("the route's permit, not spent on the cancelled call").isEqualTo(1);
      assertThat(limiter(mesh, "api").getMetrics().getAvailablePermissions()).isEqualTo(1);
      assertThat(timedGet(mesh, "/a")).isLessThan(Duration.ofSeconds(5));
      assertThat(backend.requests()).isEqualTo(2);
    }
  }
}
