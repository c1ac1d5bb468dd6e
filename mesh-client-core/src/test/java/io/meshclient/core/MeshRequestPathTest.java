package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConcurrencyLimitExceededException;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.MeshException;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.StringMatch;
import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MeshRequestPathTest {
  private Backend v1;
  private Backend v2;
  private final InMemoryDiscovery discovery = new InMemoryDiscovery();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private Mesh mesh;

  @BeforeEach
  void start() throws IOException {
    v1 = new Backend("v1");
    v2 = new Backend("v2");
    discovery.set("reviews", List.of(v1.instance("reviews", Map.of("version", "v1")),
        v2.instance("reviews", Map.of("version", "v2"))));
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    v1.close();
    v2.close();
  }

  private static ServiceConfig.Builder reviews() {
    return ServiceConfig.builder("reviews")
        .subset("v1", Map.of("version", "v1"))
        .subset("v2", Map.of("version", "v2"))
        .route(RouteConfig.to(RouteConfig.Match.header("end-user", StringMatch.exact("jason")), "v2"))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "v1"));
  }

  private Mesh build(ServiceConfig service) {
    mesh = Mesh.builder().config(MeshConfig.builder().service(service).build())
        .discovery("memory", discovery).meterRegistry(meters).build();
    return mesh;
  }

  private String get(String url, String... headers) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url(url)
        .headers(okhttp3.Headers.of(headers)).build()).execute()) {
      return response.body().string();
    }
  }

  @Test
  void headerRouteAndDefaultRouteReachTheirSubsets() throws IOException {
    build(reviews().build());
    assertThat(get("http://reviews/api/reviews/1")).isEqualTo("v1");
    assertThat(get("http://reviews/api/reviews/1", "end-user", "jason")).isEqualTo("v2");
    assertThat(v1.requests()).isEqualTo(1);
    assertThat(v2.requests()).isEqualTo(1);
    assertThat(meters.get(MeshMetricNames.REQUESTS).tag("service", "reviews").tag("subset", "v2")
        .tag("status", "200").tag("outcome", "SUCCESS").tag("method", "GET").timer().count()).isEqualTo(1);
  }

  @Test
  void hostsThatAreNotServicesPassThroughUntouched() throws IOException {
    build(reviews().build());
    assertThat(get("http://127.0.0.1:" + v2.port() + "/direct")).isEqualTo("v2");
    assertThat(meters.find(MeshMetricNames.REQUESTS).timers()).isEmpty();
  }

  @Test
  void serviceWithNoInstancesFailsFastNamingServiceAndSubset() {
    discovery.set("reviews", List.of(v1.instance("reviews", Map.of("version", "v1"))));
    build(reviews().build());
    assertThatThrownBy(() -> get("http://reviews/x", "end-user", "jason"))
        .isInstanceOf(NoHealthyInstanceException.class)
        .hasMessage("no healthy instance of service 'reviews' in subset 'v2': none of its instances has the "
            + "subset's labels {version=v2}");
    assertThat(meters.get(MeshMetricNames.REQUESTS).tag("subset", "v2").tag("error", "refused").timer().count())
        .isEqualTo(1);
  }

  @Test
  void aSubsetWhoseLabelsMatchNoInstanceSaysWhichLabelsItLookedFor() {
    build(ServiceConfig.builder("reviews").subset("v3", Map.of("version", "v3", "track", "canary"))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "v3")).build());
    assertThatThrownBy(() -> get("http://reviews/x"))
        .isInstanceOf(NoHealthyInstanceException.class)
        .hasMessage("no healthy instance of service 'reviews' in subset 'v3': none of its instances has the "
            + "subset's labels {track=canary, version=v3}");
    assertThat(v1.requests() + v2.requests()).isZero();
  }

  @Test
  void aServiceItsDiscoveryListsNoInstanceOfSaysSo() {
    discovery.set("reviews", List.of());
    build(reviews().build());
    assertThatThrownBy(() -> get("http://reviews/x"))
        .isInstanceOf(NoHealthyInstanceException.class)
        .hasMessage("no healthy instance of service 'reviews' in subset 'v1': its discovery lists no instance of it");
  }

  @Test
  void rateLimitRefusesBeforeAnyByteIsSent() throws IOException {
    build(reviews().rateLimit(RateLimitConfig.perSecond(1, 2)).build());
    get("http://reviews/a");
    get("http://reviews/b");
    assertThatThrownBy(() -> get("http://reviews/c"))
        .isInstanceOf(RateLimitExceededException.class)
        .hasMessage("rate limit 'reviews' of service 'reviews' exceeded")
        .satisfies(e -> {
          Duration wait = ((RateLimitExceededException) e).retryAfter();
          assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
          assertThat(((RateLimitExceededException) e).retryAfterSeconds()).isEqualTo(1);
        });
    assertThat(v1.requests()).isEqualTo(2);
    assertThat(meters.get(MeshMetricNames.RATE_LIMITED).tag("limiter", "reviews").counter().count()).isEqualTo(1);
  }

  @Test
  void routeRateLimitAppliesOnlyToItsRoute() throws IOException {
    ServiceConfig service = ServiceConfig.builder("reviews")
        .subset("v1", Map.of("version", "v1")).subset("v2", Map.of("version", "v2"))
        .route(RouteConfig.to(RouteConfig.Match.header("end-user", StringMatch.exact("jason")), "v2")
            .withName("jason").withRateLimit(RateLimitConfig.perSecond(1, 1)))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "v1"))
        .build();
    build(service);
    get("http://reviews/a", "end-user", "jason");
    assertThatThrownBy(() -> get("http://reviews/a", "end-user", "jason"))
        .isInstanceOf(RateLimitExceededException.class).hasMessageContaining("'reviews/jason'");
    for (int i = 0; i < 5; i++) {
      assertThat(get("http://reviews/a")).isEqualTo("v1");
    }
  }

  @Test
  void concurrencyCapRefusesTheCallOverTheLimit() throws Exception {
    v1.delay(500);
    build(reviews().maxConcurrentRequests(1).build());
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
      try {
        return get("http://reviews/slow");
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (v1.requests() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThatThrownBy(() -> get("http://reviews/second"))
        .isInstanceOf(ConcurrencyLimitExceededException.class)
        .hasMessage("service 'reviews' already has 1 requests in flight (max-concurrent-requests: 1)");
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
    assertThat(v1.requests()).isEqualTo(1);
  }

  @Test
  void asyncCallersReceiveMeshExceptionsInOnFailure() throws Exception {
    build(reviews().rateLimit(RateLimitConfig.perSecond(1, 1)).build());
    get("http://reviews/a");
    CompletableFuture<IOException> failure = new CompletableFuture<>();
    mesh.httpClient().newCall(new Request.Builder().url("http://reviews/b").build()).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        failure.complete(e);
      }

      @Override
      public void onResponse(Call call, Response response) {
        response.close();
        failure.completeExceptionally(new AssertionError("expected a refusal"));
      }
    });
    assertThat(failure.get(5, TimeUnit.SECONDS)).isInstanceOf(MeshException.class)
        .isInstanceOf(RateLimitExceededException.class);
    // the dispatcher survived: another async call still works
    CompletableFuture<Integer> ok = new CompletableFuture<>();
    mesh.httpClient().newCall(new Request.Builder().url("http://127.0.0.1:" + v1.port() + "/").build())
        .enqueue(new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            ok.completeExceptionally(e);
          }

          @Override
          public void onResponse(Call call, Response response) {
            ok.complete(response.code());
            response.close();
          }
        });
    assertThat(ok.get(5, TimeUnit.SECONDS)).isEqualTo(200);
  }

  @Test
  void discoveryUpdatesTakeEffectForNewCalls() throws IOException {
    build(ServiceConfig.builder("reviews").loadBalancer("round-robin").build());
    discovery.set("reviews", List.of(v2.instance("reviews", Map.of())));
    for (int i = 0; i < 4; i++) {
      assertThat(get("http://reviews/")).isEqualTo("v2");
    }
    assertThat(mesh.instances("reviews")).hasSize(1);
  }

  /**
   * A discovery may report a host no URL can hold: calls picked for it fail as connect failures, so they
   * are retried on a good instance and counted against the bad one, instead of escaping unchecked.
   */
  @Test
  void anInstanceWhoseHostCannotBeInAUrlFailsAsAConnectFailureAndIsRetriedElsewhere() throws IOException {
    ServiceInstance bad = new ServiceInstance("bad", "reviews", "bad host", 80, false, 1, Map.of(), "");
    discovery.set("reviews", List.of(bad, v1.instance("reviews", Map.of())));
    build(ServiceConfig.builder("reviews").loadBalancer("round-robin")
        .retry(io.meshclient.core.config.RetryConfig.DEFAULT.withBudget(100, 10)).build()); // a retry per call
    for (int i = 0; i < 6; i++) {
      assertThat(get("http://reviews/")).isEqualTo("v1");
    }
    assertThat(meters.get("mesh.client.retries").tag("reason", "connect-failure").counter().count())
        .as("calls that picked the bad instance first, retried as after a connect failure").isPositive();
    assertThat(v1.requests()).isEqualTo(6);
  }

  @Test
  void reconfigureSwapsRoutesAndRefusesAnInvalidConfigKeepingTheOld() throws IOException {
    build(reviews().build());
    assertThat(get("http://reviews/")).isEqualTo("v1");
    MeshConfig toV2 = MeshConfig.builder().service(ServiceConfig.builder("reviews")
        .subset("v2", Map.of("version", "v2")).route(RouteConfig.to(RouteConfig.Match.ANY, "v2")).build()).build();
    mesh.reconfigure(toV2);
    assertThat(get("http://reviews/")).isEqualTo("v2");
    MeshConfig bad = MeshConfig.builder().service(ServiceConfig.builder("reviews").discovery("consul").build()).build();
    assertThatThrownBy(() -> mesh.reconfigure(bad)).isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.discovery: consul (expected: one of the configured discoveries [memory])");
    assertThat(get("http://reviews/")).isEqualTo("v2");
    assertThat(mesh.config()).isSameAs(toV2);
    assertThat(meters.get(MeshMetricNames.RECONFIGURATIONS).tag(MeshMetricNames.RESULT, "applied").counter().count())
        .isEqualTo(1.0);
    assertThat(meters.get(MeshMetricNames.RECONFIGURATIONS).tag(MeshMetricNames.RESULT, "refused").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void theClientIsBuiltOnceOnFirstUseNotWithTheMesh() throws Exception {
    build(reviews().build());
    assertThat(mesh.hasHttpClient()).as("built with the mesh").isFalse();
    int threads = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
      List<java.util.concurrent.Future<okhttp3.OkHttpClient>> clients = new java.util.ArrayList<>();
      for (int i = 0; i < threads; i++) {
        clients.add(pool.submit(() -> {
          start.await();
          return mesh.httpClient();
        }));
      }
      java.util.Set<okhttp3.OkHttpClient> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      for (java.util.concurrent.Future<okhttp3.OkHttpClient> client : clients) {
        distinct.add(client.get(10, java.util.concurrent.TimeUnit.SECONDS));
      }
      assertThat(distinct).hasSize(1);
      assertThat(mesh.hasHttpClient()).isTrue();
      assertThat(get("http://reviews/")).isEqualTo("v1");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closeStopsWatchesAndTheDispatcher() throws InterruptedException {
    build(reviews().build());
    assertThat(discovery.watcherCount("reviews")).isEqualTo(1);
    mesh.close();
    assertThat(discovery.watcherCount("reviews")).isZero();
    assertThat(mesh.httpClient().dispatcher().executorService().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS))
        .as("the dispatcher's threads end").isTrue();
    assertThat(discovery.isClosed()).as("a caller-supplied discovery stays the caller's").isFalse();
    assertThatThrownBy(() -> mesh.reconfigure(mesh.config())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void decisionsNameTheRouteTheSplitDrawTheCandidatesAndTheChosenInstance() throws IOException {
    List<RoutingDecision> decisions = new java.util.concurrent.CopyOnWriteArrayList<>();
    CallListener recorder = new CallListener() {
      @Override
      public void onAttempt(RoutingDecision decision) {
        decisions.add(decision);
      }
    };
    ServiceConfig service = ServiceConfig.builder("reviews").loadBalancer("round-robin")
        .subset("v1", Map.of("version", "v1")).subset("v2", Map.of("version", "v2"))
        .route(RouteConfig.split(RouteConfig.Match.ANY, new java.util.LinkedHashMap<>(Map.of("v1", 50)) {{
          put("v2", 50);
        }}).withName("half")).build();
    mesh = Mesh.builder().config(MeshConfig.builder().service(service).build()).discovery("memory", discovery)
        .callListenerFactory((name, request) -> recorder).random(new java.util.SplittableRandom(5)).build();
    for (int i = 0; i < 20; i++) {
      get("http://reviews/x");
    }
    assertThat(decisions).hasSize(20).allSatisfy(d -> {
      assertThat(d.service()).isEqualTo("reviews");
      assertThat(d.route()).isEqualTo("half");
      assertThat(d.drawBound()).isEqualTo(100);
      assertThat(d.subset()).isEqualTo(d.draw() < 50 ? "v1" : "v2");
      assertThat(d.candidates()).containsExactly(d.subset());
      assertThat(d.chosen()).isEqualTo(d.subset());
      assertThat(d.balancer()).isEqualTo("round-robin");
      assertThat(d.attempt()).isEqualTo(1);
    });
    assertThat(decisions).extracting(RoutingDecision::subset).contains("v1", "v2");
    assertThat(v1.requests() + v2.requests()).isEqualTo(20);
  }
}
