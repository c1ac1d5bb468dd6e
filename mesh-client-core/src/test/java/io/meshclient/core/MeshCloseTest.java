package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.MeshClosedException;
import io.meshclient.core.config.BreakerConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.ServiceConfig;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Mesh#close()} is a close: calls in flight are cancelled after the grace period, new calls fail
 * with "mesh closed", and the mesh leaves no watch, thread, connection or meter behind.
 */
@Timeout(30)
class MeshCloseTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final InMemoryDiscovery discovery = new InMemoryDiscovery();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private Backend backend;

  @BeforeEach
  void start() throws IOException {
    backend = new Backend("reviews");
    discovery.set("reviews", List.of(backend.instance("reviews", Map.of())));
  }

  @AfterEach
  void stop() {
    release.countDown();
    backend.close();
  }

  private Mesh mesh(Duration grace) {
    ServiceConfig reviews = ServiceConfig.builder("reviews").circuitBreaker(BreakerConfig.DEFAULT)
        .rateLimit(RateLimitConfig.perSecond(1000, 100)).build();
    return Mesh.builder().config(MeshConfig.builder().service(reviews).build()).discovery("memory", discovery)
        .meterRegistry(meters).closeGracePeriod(grace).build();
  }

  private static Request get(String url) {
    return new Request.Builder().url(url).build();
  }

  private static CompletableFuture<Response> enqueue(OkHttpClient client, Request request) {
    CompletableFuture<Response> result = new CompletableFuture<>();
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        response.close();
        result.complete(response);
      }

      @Override
      public void onFailure(Call call, IOException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  @Test
  void callsInFlightAreCancelledAfterTheGracePeriod() throws Exception {
    backend.onRequest(() -> release.await(20, TimeUnit.SECONDS));
    Mesh mesh = mesh(Duration.ofMillis(300));
    List<CompletableFuture<Response>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(enqueue(mesh.httpClient(), get("http://reviews/hang/" + i)));
    }
    while (backend.requests() < 20) {
      Thread.sleep(10);
    }

    long start = System.nanoTime();
    mesh.close();
    assertThat(System.nanoTime() - start).isBetween(250_000_000L, 3_000_000_000L);

    for (CompletableFuture<Response> call : calls) {
      assertThat(call).failsWithin(Duration.ofSeconds(2))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause().isInstanceOf(MeshClosedException.class)
          .withMessage("mesh closed: GET http://reviews/... cancelled after the close grace period");
    }
    long until = System.nanoTime() + 2_000_000_000L; // a callback runs before its call is finished
    while (mesh.httpClient().dispatcher().runningCallsCount() > 0 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(mesh.httpClient().dispatcher().runningCallsCount()).isZero();
  }

  /**
   * A second close, from another thread while the first waits out the grace period (a Spring context
   * closing while a shutdown hook closes the mesh too), returns once the mesh is closed, not at once.
   */
  @Test
  void aCloseWhileAnotherIsUnderWayReturnsOnlyOnceTheMeshIsClosed() throws Exception {
    backend.onRequest(() -> release.await(20, TimeUnit.SECONDS));
    Mesh mesh = mesh(Duration.ofSeconds(1));
    CompletableFuture<Response> call = enqueue(mesh.httpClient(), get("http://reviews/hang"));
    while (backend.requests() < 1) {
      Thread.sleep(5);
    }
    Thread first = new Thread(mesh::close, "first close");
    first.start();
    while (!mesh.runtime().isClosed()) {
      Thread.sleep(1);
    }

    mesh.close();

    assertThat(meterNames()).as("the meters, the first close's last step, once the second returned").isEmpty();
    assertThat(call).failsWithin(Duration.ofSeconds(2))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOf(MeshClosedException.class);
    first.join(5_000);
  }

  /**
   * A call cancelled by the close that ends only once the close has returned (its failure held here by a
   * network interceptor of the base client, as a slow thread would be) records into no meter: the meters
   * the close removed are not registered again.
   */
  @Test
  void aCallThatEndsAfterTheCloseLeavesNoMeterBehind() throws Exception {
    backend.onRequest(() -> release.await(20, TimeUnit.SECONDS));
    CountDownLatch closeReturned = new CountDownLatch(1);
    OkHttpClient base = new OkHttpClient.Builder().addNetworkInterceptor(chain -> {
      try {
        return chain.proceed(chain.request());
      } catch (IOException e) {
        try {
          closeReturned.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
        throw e;
      }
    }).build();
    ServiceConfig reviews = ServiceConfig.builder("reviews").build();
    Mesh mesh = Mesh.builder().config(MeshConfig.builder().service(reviews).build()).discovery("memory", discovery)
        .meterRegistry(meters).okHttpClient(base).closeGracePeriod(Duration.ZERO).build();
    CompletableFuture<Response> call = enqueue(mesh.httpClient(), get("http://reviews/hang"));
    while (backend.requests() < 1) {
      Thread.sleep(5);
    }

    mesh.close();
    closeReturned.countDown();

    assertThat(call).failsWithin(Duration.ofSeconds(5))

        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOf(MeshClosedException.class);
    long until = System.nanoTime() + 2_000_000_000L; // a callback runs before its call is finished
    while (mesh.httpClient().dispatcher().runningCallsCount() > 0 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(meterNames()).isEmpty();
  }

  /** Calls queued in the dispatcher behind the per-host limit when the mesh closes fail as closed, unsent. */
  @Test
  void callsQueuedBehindTheHostLimitFailAsClosedWithoutBeingSent() throws Exception {
    backend.onRequest(() -> release.await(20, TimeUnit.SECONDS));
    Mesh mesh = Mesh.builder().config(MeshConfig.fromMap(Map.of("mesh", Map.of(
            "defaults", Map.of("connection-pool", Map.of("max-requests-per-host", 2)),
            "services", Map.of("reviews", Map.of("discovery", "memory"))))))
        .discovery("memory", discovery).closeGracePeriod(Duration.ZERO).build();
    List<CompletableFuture<Response>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(enqueue(mesh.httpClient(), get("http://reviews/queued/" + i)));
    }
    while (backend.requests() < 2) {
      Thread.sleep(5);
    }
    assertThat(mesh.httpClient().dispatcher().queuedCallsCount()).isEqualTo(4);

    mesh.close();

    for (CompletableFuture<Response> call : calls.subList(2, 6)) {
      assertThat(call).failsWithin(Duration.ofSeconds(2))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause().isInstanceOf(MeshClosedException.class)
          .withMessage("mesh closed: GET http://reviews/... not sent");
    }
    assertThat(backend.requests()).isEqualTo(2);
  }

  /**
   * An HTTP/2 connection whose stream was cancelled by the close is closed too: cancelling resets the stream
   * only, and the connection went back to the pool after the close had evicted the idle ones.
   */
  @Test
  void anHttp2ConnectionWhoseCallTheCloseCancelledIsClosed() throws Exception {
    List<okhttp3.Protocol> h2c = List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
    // The server, stalled on the stream the close reset, logs its socket closed under it at INFO, stack and all.
    java.util.logging.Logger okhttp = java.util.logging.Logger.getLogger(OkHttpClient.class.getName());
    java.util.logging.Level level = okhttp.getLevel();
    okhttp.setLevel(java.util.logging.Level.WARNING);
    try {
      try (mockwebserver3.MockWebServer server = new mockwebserver3.MockWebServer()) {
        server.setProtocols(h2c);
        server.enqueue(new mockwebserver3.MockResponse.Builder()
            .onResponseStart(mockwebserver3.SocketEffect.Stall.INSTANCE).build()); // never answers
        server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
        discovery.set("orders", List.of(new io.meshclient.api.ServiceInstance("o1", "orders", "127.0.0.1",
            server.getPort(), false, 1, Map.of(), "")));
        Mesh mesh = Mesh.builder().okHttpClient(new OkHttpClient.Builder().protocols(h2c).build())
            .config(MeshConfig.builder().service(ServiceConfig.builder("orders").build()).build())
            .discovery("memory", discovery).closeGracePeriod(Duration.ZERO).build();
        CompletableFuture<Response> call = enqueue(mesh.httpClient(), get("http://orders/hang"));
        while (server.getRequestCount() < 1) {
          Thread.sleep(5);
        }

        mesh.close();

        assertThat(call).failsWithin(Duration.ofSeconds(2))

            .withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .havingCause().isInstanceOf(MeshClosedException.class)
            .withMessage("mesh closed: GET http://orders/... cancelled after the close grace period");
        assertThat(mesh.httpClient().connectionPool().connectionCount()).as("connections open once close() returned")
            .isZero();
      }
    } finally {
      okhttp.setLevel(level);
    }
  }

  @Test
  void newCallsAfterCloseFailWithMeshClosedAndSendNothing() throws Exception {
    Mesh mesh = mesh(Duration.ZERO);
    mesh.httpClient().newCall(get("http://reviews/ok")).execute().close();
    OkHttpClient client = mesh.httpClient();
    mesh.close();

    assertThatThrownBy(() -> client.newCall(get("http://reviews/sync")).execute())
        .isInstanceOf(MeshClosedException.class)
        .hasMessage("mesh closed: GET http://reviews/... not sent");
    assertThatThrownBy(() -> client.newCall(get("http://127.0.0.1:" + backend.port() + "/direct")).execute())
        .isInstanceOf(MeshClosedException.class)
        .hasMessage("mesh closed: GET http://127.0.0.1:" + backend.port() + "/... not sent");
    assertThat(enqueue(client, get("http://reviews/async"))).failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOf(MeshClosedException.class)
        .withMessage("mesh closed: GET http://reviews/... not sent");
    assertThat(backend.requests()).isEqualTo(1);
  }

  @Test
  void closeStopsWatchesThreadsAndConnectionsAndRemovesTheMeters() throws Exception {
    Mesh mesh = mesh(Duration.ofSeconds(1));
    enqueue(mesh.httpClient(), get("http://reviews/ok")).get(5, TimeUnit.SECONDS);
    assertThat(discovery.watcherCount("reviews")).isEqualTo(1);
    assertThat(meterNames()).contains("mesh.client.requests", "resilience4j.circuitbreaker.state",
        "resilience4j.ratelimiter.available.permissions");

    mesh.close();

    assertThat(discovery.watcherCount("reviews")).isZero();
    assertThat(mesh.httpClient().dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(mesh.httpClient().connectionPool().connectionCount()).isZero();
    assertThat(meterNames()).isEmpty();
  }

  /** A discovery whose watches answer {@code onClose} when closed: hangs, throws. */
  private static io.meshclient.api.ServiceDiscovery discovery(String service, Runnable onClose) {
    return new io.meshclient.api.ServiceDiscovery() {
      @Override
      public Watch watch(String name, Listener listener) {
        listener.onSnapshot(List.of());
        return onClose::run;
      }

      @Override
      public java.util.Set<String> knownServices() {
        return java.util.Set.of(service);
      }

      @Override
      public void close() {}

      @Override
      public String toString() {
        return service + "'s discovery";
      }
    };
  }

  /**
   * A watch whose close never returns (a discovery blocked on a peer that does not answer) delays the close by at
   * most the wait for it, and one whose close throws stops nothing: the other watches, the dispatcher and the
   * meters are closed all the same. Before, the close hung on such a watch, calls were never cancelled.
   */
  @Test
  void aWatchWhoseCloseHangsOrThrowsDoesNotKeepTheMeshOpen() throws Exception {
    Mesh mesh = Mesh.builder().config(MeshConfig.builder().build()).meterRegistry(meters)
        .discovery("hung", discovery("ratings", () -> {
          try {
            release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }))
        .discovery("failing", discovery("details", () -> {
          throw new IllegalStateException("details' watch cannot close");
        }))
        .discovery("memory", discovery).build();
    mesh.httpClient().newCall(get("http://reviews/ok")).execute().close();
    assertThat(discovery.watcherCount("reviews")).isEqualTo(1);

    try (LogWarnings warnings = new LogWarnings(io.meshclient.core.internal.MeshRuntime.class)) {
      Thread close = new Thread(mesh::close, "close");
      close.start();
      close.join(10_000);

      assertThat(close.isAlive()).as("the close, 10 s on").isFalse();
      assertThat(warnings.messages).containsExactlyInAnyOrder(
          "Closing the watch of 'details' on details's discovery failed: java.lang.IllegalStateException: details' "
              + "watch cannot close",
          "Closing the mesh: [the watch of 'ratings' on ratings's discovery] still closing; left to finish in the "
              + "background");
    }
    assertThat(discovery.watcherCount("reviews")).isZero();
    assertThat(mesh.httpClient().dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(meterNames()).isEmpty();
    assertThatThrownBy(() -> mesh.httpClient().newCall(get("http://reviews/late")).execute())
        .isInstanceOf(MeshClosedException.class).hasMessage("mesh closed: GET http://reviews/... not sent");
  }

  @Test
  void aMeshBuiltAgainOnTheSameRegistryRegistersItsOwnBreakerGauge() throws Exception {
    List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger micrometer = java.util.logging.Logger.getLogger("io.micrometer");
    java.util.logging.Level level = micrometer.getLevel();
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        logged.add(String.valueOf(record.getMessage()));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    micrometer.setLevel(java.util.logging.Level.ALL); // Micrometer warns once per JVM, then logs at debug
    micrometer.addHandler(handler);
    try {
      try (Mesh first = mesh(Duration.ZERO)) {
        first.httpClient().newCall(get("http://reviews/ok")).execute().close();
      }
      try (Mesh second = mesh(Duration.ZERO)) {
        second.httpClient().newCall(get("http://reviews/ok")).execute().close();
        second.circuitBreakerRegistry().circuitBreaker("reviews").transitionToOpenState();

        assertThat(meters.get("resilience4j.circuitbreaker.state").tag("name", "reviews").tag("state", "open")
            .gauge().value()).isEqualTo(1.0);
      }
    } finally {
      micrometer.removeHandler(handler);
      micrometer.setLevel(level);
    }
    assertThat(logged).noneMatch(message -> message.contains("has been already registered"));
  }

  private List<String> meterNames() {
    return meters.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).distinct().sorted().toList();
  }
}
