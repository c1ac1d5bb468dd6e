package io.meshclient.core.istio;

import static io.meshclient.core.istio.IstioRoutingTest.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConcurrencyLimitExceededException;
import io.meshclient.core.Backend;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A DestinationRule subset's own trafficPolicy (outlier detection, connection pool, warm-up) applies to the
 * calls routed to that subset only, as Envoy's separate cluster per subset: real servers on 127.0.0.1,
 * counted at the servers.
 */
@Timeout(60)
class IstioSubsetPolicyTest extends LoopbackIstioTest {
  /** Calls with {@code x-to: v1} go to subset v1, the others to v2; no retries, so each call is one attempt. */
  private static final String ROUTES = """
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: { name: reviews }
      spec:
        hosts: [reviews]
        http:
          - match: [{ headers: { x-to: { exact: v1 } } }]
            route: [{ destination: { host: reviews, subset: v1 } }]
            retries: { attempts: 0 }
          - route: [{ destination: { host: reviews, subset: v2 } }]
            retries: { attempts: 0 }
      """;

  /**
   * {@code shared} belongs to both subsets (labels in-v1 and in-v2), {@code onlyV1} to v1, {@code onlyV2}
   * to v2.
   */
  private static InMemoryDiscovery overlapping(LoopbackServer shared, LoopbackServer onlyV1, LoopbackServer onlyV2) {
    return new InMemoryDiscovery().set("reviews", List.of(
        shared.instance("reviews", Map.of("in-v1", "yes", "in-v2", "yes")),
        onlyV1.instance("reviews", Map.of("in-v1", "yes")),
        onlyV2.instance("reviews", Map.of("in-v2", "yes"))));
  }

  private static final String ROUND_ROBIN = "loadBalancer: { simple: ROUND_ROBIN }";

  /**
   * A rule with {@code servicePolicy} (the fields of the top-level trafficPolicy) for the service, subsets
   * v1 and v2 by labels in-v1 and in-v2, and {@code v2Policy} as v2's own trafficPolicy.
   */
  private static String rule(String servicePolicy, String v2Policy) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          trafficPolicy: { %s }
          subsets:
            - { name: v1, labels: { in-v1: "yes" } }
            - name: v2
              labels: { in-v2: "yes" }
              trafficPolicy: %s
        """.formatted(servicePolicy, v2Policy) + ROUTES;
  }

  /** Sends {@code calls} calls, to subset v1 when {@code v1}, else to v2. */
  private static void send(Mesh mesh, int calls, String subset) throws IOException {
    for (int i = 0; i < calls; i++) {
      try (Response r = subset.equals("v1") ? get(mesh, "http://reviews/r", "x-to", "v1")
          : get(mesh, "http://reviews/r")) {
        assertThat(r.code()).isIn(200, 503);
      }
    }
  }

  @Test
  void aSubsetsOutlierDetectionEjectsAnInstanceForCallsRoutedToThatSubsetOnly() throws Exception {
    LoopbackServer shared = server("shared").status(503);
    LoopbackServer onlyV1 = server("only-v1");
    LoopbackServer onlyV2 = server("only-v2");
    MeshConfig noServiceDetector = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              outlier-detection: { enabled: false }
        """, n -> null);
    FakeTicker ticker = new FakeTicker();
    try (Mesh mesh = Mesh.builder().config(noServiceDetector)
        .istioConfig(file(rule(ROUND_ROBIN, "{ outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1m, "
            + "maxEjectionPercent: 100 } }")))
        .discovery("memory", overlapping(shared, onlyV1, onlyV2)).ticker(ticker).build()) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      assertThat(mesh.config().service("reviews").subsetPolicies().get("v2").outlierDetection().consecutiveFailures())
          .isEqualTo(1);

      send(mesh, 10, "v2");
      assertThat(shared.requests.get()).as("v2's detector ejects it at its first 503").isEqualTo(1);
      assertThat(onlyV2.requests.get()).isEqualTo(9);

      send(mesh, 10, "v1");
      assertThat(shared.requests.get() - 1).as("v1 calls keep round robin over both its instances").isEqualTo(5);
      assertThat(onlyV1.requests.get()).isEqualTo(5);
      assertThat(mesh.snapshot().services().get("reviews").instances())
          .filteredOn(i -> i.ejected()).extracting(i -> i.instance().id()).containsExactly("reviews-shared");

      send(mesh, 10, "v2");
      assertThat(shared.requests.get()).as("still ejected for v2").isEqualTo(6);
      ticker.advance(Duration.ofMinutes(1));
      shared.status(200);
      send(mesh, 10, "v2");
      assertThat(shared.requests.get() - 6).as("back for v2 after baseEjectionTime").isEqualTo(5);
    }
  }

  @Test
  void theServicesDetectorDoesNotSeeCallsRoutedToASubsetWithItsOwnDetector() throws Exception {
    LoopbackServer shared = server("shared").status(503);
    LoopbackServer onlyV1 = server("only-v1");
    LoopbackServer onlyV2 = server("only-v2");
    try (Mesh mesh = Mesh.builder()
        .istioConfig(file(rule(ROUND_ROBIN + ", outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1m, "
            + "maxEjectionPercent: 100 }", "{ outlierDetection: { consecutive5xxErrors: 50 } }")))
        .discovery("memory", overlapping(shared, onlyV1, onlyV2)).ticker(new FakeTicker()).build()) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();

      send(mesh, 10, "v2");
      assertThat(shared.requests.get()).as("five 503s, under v2's own 50: never ejected for v2").isEqualTo(5);

      send(mesh, 10, "v1");
      assertThat(shared.requests.get() - 5)
          .as("the service's detector (consecutive 1) had not seen v2's 503s: it ejects at v1's first").isEqualTo(1);
      assertThat(onlyV1.requests.get()).isEqualTo(9);

      send(mesh, 10, "v2");
      assertThat(shared.requests.get() - 6).as("the service's ejection does not apply to v2 calls").isEqualTo(5);
    }
  }

  @Test
  void aSubsetsConcurrencyCapRefusesTheCallOverItAndCountsApartFromTheService() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Backend v1 = closeAfterTest(new Backend("v1").onRequest(() -> release.await(10, TimeUnit.SECONDS)));
    Backend v2 = closeAfterTest(new Backend("v2").onRequest(() -> release.await(10, TimeUnit.SECONDS)));
    ExecutorService callers = Executors.newFixedThreadPool(6);
    closeAfterTest(callers::shutdownNow);
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        v1.instance("reviews", Map.of("in-v1", "yes")), v2.instance("reviews", Map.of("in-v2", "yes"))));
    try (Mesh mesh = Mesh.builder()
        .istioConfig(file(rule(ROUND_ROBIN + ", connectionPool: { http: { http2MaxRequests: 3 } }",
            "{ connectionPool: { http: { http2MaxRequests: 2 } } }")))
        .discovery("memory", discovery).build()) {
      try {
        holdAndOverflow(mesh, v1, v2, release, callers);
      } finally {
        release.countDown(); // on a failure too: the held requests end before the mesh and servers close
      }
    }
  }

  private static void holdAndOverflow(Mesh mesh, Backend v1, Backend v2, CountDownLatch release,
      ExecutorService callers) throws Exception {
    assertThat(mesh.istioReport().unsupported()).isEmpty();
    assertThat(mesh.config().service("reviews").subsetPolicies().get("v2").maxConcurrentRequests()).isEqualTo(2);
    List<CompletableFuture<Integer>> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      held.add(CompletableFuture.supplyAsync(() -> status(mesh), callers));
    }
    awaitRequests(v2::requests, 2);
    assertThatThrownBy(() -> get(mesh, "http://reviews/r").close())
        .isInstanceOf(ConcurrencyLimitExceededException.class)
        .hasMessageContaining("subset 'v2' of service 'reviews' already has 2 requests in flight "
            + "(subset-policies.v2.max-concurrent-requests: 2)");
    for (int i = 0; i < 3; i++) {
      held.add(CompletableFuture.supplyAsync(() -> status(mesh, "x-to", "v1"), callers));
    }
    awaitRequests(v1::requests, 3);
    assertThatThrownBy(() -> get(mesh, "http://reviews/r", "x-to", "v1").close())
        .as("v2's 2 calls do not count against the service's 3")
        .isInstanceOf(ConcurrencyLimitExceededException.class)
        .hasMessageContaining("service 'reviews' already has 3 requests in flight (max-concurrent-requests: 3)");
    assertThat(v2.requests()).as("refused before any byte was sent").isEqualTo(2);
    assertThat(v1.requests()).isEqualTo(3);
    release.countDown();
    for (CompletableFuture<Integer> call : held) {
      assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(200);
    }
    try (Response again = get(mesh, "http://reviews/r")) {
      assertThat(again.code()).as("the subset's count went back down").isEqualTo(200);
    }
  }

  private static int status(Mesh mesh, String... headers) {
    try (Response r = get(mesh, "http://reviews/r", headers)) {
      return r.code();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void awaitRequests(IntSupplier requests, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (requests.getAsInt() < expected && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(requests.getAsInt()).isEqualTo(expected);
  }

  @Test
  void aSubsetsConnectTimeoutAppliesToCallsRoutedToThatSubset() throws Exception {
    LoopbackServer shared = server("shared");
    Map<String, Integer> connectTimeouts = new java.util.concurrent.ConcurrentHashMap<>();
    okhttp3.OkHttpClient base = new okhttp3.OkHttpClient.Builder().addNetworkInterceptor(chain -> {
      String to = chain.request().header("x-to");
      connectTimeouts.put(to == null ? "v2" : to, chain.connectTimeoutMillis());
      return chain.proceed(chain.request());
    }).build();
    try (Mesh mesh = Mesh.builder().okHttpClient(base)
        .istioConfig(file(rule(ROUND_ROBIN + ", connectionPool: { tcp: { connectTimeout: 3s } }",
            "{ connectionPool: { tcp: { connectTimeout: 250ms } } }")))
        .discovery("memory", overlapping(shared, server("only-v1"), server("only-v2"))).build()) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      send(mesh, 1, "v1");
      send(mesh, 1, "v2");
      assertThat(connectTimeouts).isEqualTo(Map.of("v1", 3000, "v2", 250));
    }
  }

  @Test
  void aSubsetsOwnLoadBalancerDoesNotTakeTheServicesWarmup() throws Exception {
    LoopbackServer shared = server("shared");
    LoopbackServer onlyV2 = server("only-v2");
    try (Mesh mesh = Mesh.builder()
        .istioConfig(file(rule("loadBalancer: { simple: ROUND_ROBIN, warmupDurationSecs: 10s }",
            "{ loadBalancer: { consistentHash: { httpHeaderName: x-user } } }")))
        .discovery("memory", overlapping(shared, server("only-v1"), onlyV2)).build()) {
      assertThat(mesh.config().service("reviews").slowStart().window()).hasSeconds(10);
      for (int i = 0; i < 10; i++) {
        try (Response r = get(mesh, "http://reviews/r", "x-user", "jason")) {
          assertThat(r.code()).isEqualTo(200);
        }
      }
      assertThat(List.of(shared.requests.get(), onlyV2.requests.get())).as("a ring hash, built without slow start")
          .containsExactlyInAnyOrder(10, 0);
    }
  }

  @Test
  void aSubsetsWarmupRampsANewInstanceUpForCallsRoutedToThatSubset() throws Exception {
    LoopbackServer old = server("old");
    LoopbackServer added = server("added");
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews",
        List.of(old.instance("reviews", Map.of("in-v2", "yes"))));
    FakeTicker ticker = new FakeTicker();
    try (Mesh mesh = Mesh.builder()
        .istioConfig(file(rule(ROUND_ROBIN, "{ loadBalancer: { simple: ROUND_ROBIN, warmupDurationSecs: 10s } }")))
        .discovery("memory", discovery).ticker(ticker).build()) {
      assertThat(mesh.config().service("reviews").slowStart()).isNull();
      assertThat(mesh.config().service("reviews").subsetPolicies().get("v2").slowStart().window()).hasSeconds(10);
      send(mesh, 1, "v2");
      discovery.set("reviews", List.of(old.instance("reviews", Map.of("in-v2", "yes")),
          added.instance("reviews", Map.of("in-v2", "yes"))));
      send(mesh, 200, "v2");
      int cold = added.requests.get();
      ticker.advance(Duration.ofSeconds(10));
      send(mesh, 200, "v2");
      int warm = added.requests.get() - cold;
      assertThat(cold).as("10% of its weight at first: about 9% of the calls").isBetween(5, 40);
      assertThat(warm).as("its full weight after 10s").isBetween(80, 120);
    }
  }
}
