package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Bookinfo as istiod's gRPC generator would send it (Istio's cluster names, listeners named host:port),
 * equivalent to Istio's task files: reviews jason -> v2, everyone else 80% v1 / 20% v3; ratings aborted
 * with 500 for jason.
 */
class BookinfoOverXdsTest {
  static final String HOST = "reviews.default.svc.cluster.local";
  static final String RATINGS = "ratings.default.svc.cluster.local";

  static Route jason(String cluster) {
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder()
            .setName("end-user").setStringMatch(StringMatcher.newBuilder().setExact("jason"))))
        .setRoute(io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder().setCluster(cluster)).build();
  }

  @Test
  void reviewsAndRatingsRouteAsIstiosBookinfoFilesSay() throws Exception {
    try (ControlPlane controlPlane = new ControlPlane();
        Backends backends = new Backends("reviews-v1", "reviews-v2", "reviews-v3", "ratings-v1")) {
      Map<String, Integer> split = new LinkedHashMap<>();
      split.put(istio(9080, "v1", HOST), 80);
      split.put(istio(9080, "v3", HOST), 20);
      HTTPFault abort = HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(500)
          .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build();
      Route ratingsForJason = jason(istio(9080, "v1", RATINGS)).toBuilder()
          .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(abort)).build();
      HttpFilter faultFilter = HttpFilter.newBuilder().setName("envoy.filters.http.fault")
          .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())).build();
      controlPlane.set(Resources.snapshot("1",
          List.of(listener(HOST + ":9080", "reviews-9080"), listener(RATINGS + ":9080", "ratings-9080", faultFilter)),
          List.of(routes("reviews-9080", List.of(HOST, HOST + ":9080", "reviews", "reviews.default"),
                  jason(istio(9080, "v2", HOST)), split(split)),
              routes("ratings-9080", List.of(RATINGS, RATINGS + ":9080", "ratings"), ratingsForJason,
                  Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), istio(9080, "v1", RATINGS)))),
          List.of(cluster(istio(9080, "v1", HOST)), cluster(istio(9080, "v2", HOST)), cluster(istio(9080, "v3", HOST)),
              cluster(istio(9080, "v1", RATINGS))),
          List.of(endpoints(istio(9080, "v1", HOST), backends.port("reviews-v1")),
              endpoints(istio(9080, "v2", HOST), backends.port("reviews-v2")),
              endpoints(istio(9080, "v3", HOST), backends.port("reviews-v3")),
              endpoints(istio(9080, "v1", RATINGS), backends.port("ratings-v1")))));

      MeshConfig config = MeshConfig.builder().discovery("xds", Map.of("server-uri", controlPlane.target(),
          "node-id", "sidecar~10.0.0.7~productpage-v1.default~default.svc.cluster.local",
          "services", Map.of("reviews", HOST + ":9080", "ratings", RATINGS + ":9080"))).build();
      try (Mesh mesh = Mesh.builder().config(config).random(new SplittableRandom(7)).build()) {
        assertThat(mesh.config().service("reviews").subsets()).containsKeys("v1", "v2", "v3");
        for (int i = 0; i < 200; i++) {
          assertThat(call(mesh, "http://reviews/reviews/0", "jason")).isEqualTo("200 reviews-v2");
        }
        Map<String, Integer> others = new java.util.TreeMap<>();
        for (int i = 0; i < 2_000; i++) {
          others.merge(call(mesh, "http://reviews/reviews/0", "alice"), 1, Integer::sum);
        }
        assertThat(others.keySet()).containsExactly("200 reviews-v1", "200 reviews-v3");
        assertThat(others.get("200 reviews-v3") / 20.0).as("v3's share in percent").isBetween(17.0, 23.0);

        assertThat(call(mesh, "http://ratings/ratings/0", "jason")).startsWith("500");
        assertThat(call(mesh, "http://ratings/ratings/0", "alice")).isEqualTo("200 ratings-v1");
        assertThat(backends.counts().get("ratings-v1")).as("aborted calls never leave the process").isEqualTo(1);
      }
    }
  }

  /**
   * A snapshot of reviews as istiod sends one of the task files: its listener {@code <host>:9080}, route
   * configuration named after the service's cluster, one cluster per DestinationRule subset.
   */
  static Snapshot reviewsAs(String version, Map<String, Integer> ports, Route... routes) {
    String rds = istio(9080, "", HOST);
    List<String> subsets = List.of("v1", "v2", "v3");
    return Resources.snapshot(version, List.of(listener(HOST + ":9080", rds)),
        List.of(routes(rds, List.of(HOST, HOST + ":9080", "reviews", "reviews:9080", "reviews.default"), routes)),
        subsets.stream().map(v -> cluster(istio(9080, v, HOST))).toList(),
        subsets.stream().map(v -> endpoints(istio(9080, v, HOST), ports.get("reviews-" + v))).toList());
  }

  static Route to(String subset) {
    return Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), istio(9080, subset, HOST));
  }

  /** Calls reviews {@code n} times as {@code user}; what each server received, counted at the servers. */
  static Map<String, Integer> calls(Mesh mesh, Backends backends, int n, String user) throws java.io.IOException {
    Map<String, Integer> before = backends.counts();
    for (int i = 0; i < n; i++) {
      assertThat(call(mesh, "http://reviews/reviews/0", user)).startsWith("200 reviews-");
    }
    Map<String, Integer> received = new java.util.TreeMap<>();
    backends.counts().forEach((name, count) -> {
      if (count > before.get(name)) {
        received.put(name, count - before.get(name));
      }
    });
    return received;
  }

  /**
   * virtual-service-all-v1.yaml, then virtual-service-reviews-test-v2.yaml, then
   * virtual-service-reviews-80-20.yaml, each as istiod would send it, on one mesh.
   */
  @Test
  void eachReviewsTaskFileRoutesAsItSays() throws Exception {
    try (ControlPlane controlPlane = new ControlPlane();
        Backends backends = new Backends("reviews-v1", "reviews-v2", "reviews-v3")) {
      Map<String, Integer> ports = Map.of("reviews-v1", backends.port("reviews-v1"),
          "reviews-v2", backends.port("reviews-v2"), "reviews-v3", backends.port("reviews-v3"));
      XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();
      controlPlane.set(reviewsAs("all-v1", ports, to("v1")));
      try (var xds = new XdsDiscoveryProvider(metrics).create(new io.meshclient.api.spi.DiscoveryContext(
              "mesh.discovery.xds", Map.of("server-uri", controlPlane.target(),
                  "node-id", "sidecar~10.0.0.7~productpage-v1.default~default.svc.cluster.local",
                  "services", Map.of("reviews", HOST + ":9080"))));
          Mesh mesh = Mesh.builder().discovery("xds", xds).random(new SplittableRandom(7)).build()) {
        assertThat(calls(mesh, backends, 200, "jason")).isEqualTo(Map.of("reviews-v1", 200));
        assertThat(calls(mesh, backends, 200, "alice")).isEqualTo(Map.of("reviews-v1", 200));

        controlPlane.set(reviewsAs("test-v2", ports, jason(istio(9080, "v2", HOST)), to("v1")));
        // applied once v2's endpoints, which no route needed before, have arrived
        Load.await(() -> "test-v2".equals(metrics.versions().get("rds"))
            && mesh.config().service("reviews").subsets().containsKey("v2"), Duration.ofSeconds(5), "test-v2 applied");
        assertThat(calls(mesh, backends, 200, "jason")).isEqualTo(Map.of("reviews-v2", 200));
        assertThat(calls(mesh, backends, 200, "alice")).isEqualTo(Map.of("reviews-v1", 200));

        Map<String, Integer> split = new LinkedHashMap<>();
        split.put(istio(9080, "v1", HOST), 80);
        split.put(istio(9080, "v3", HOST), 20);
        controlPlane.set(reviewsAs("80-20", ports, split(split)));
        Load.await(() -> "80-20".equals(metrics.versions().get("rds"))
            && mesh.config().service("reviews").subsets().containsKey("v3"), Duration.ofSeconds(5), "80-20 applied");
        Map<String, Integer> jason = calls(mesh, backends, 1_000, "jason");
        Map<String, Integer> alice = calls(mesh, backends, 1_000, "alice");
        assertThat(jason.keySet()).containsExactly("reviews-v1", "reviews-v3");
        assertThat(alice.keySet()).containsExactly("reviews-v1", "reviews-v3");
        assertThat((jason.get("reviews-v3") + alice.get("reviews-v3")) / 20.0).as("v3's share in percent")
            .isBetween(17.0, 23.0);
        assertThat(metrics.notImplemented()).isEmpty();
      }
    }
  }

  /** Istio's virtual-service-ratings-test-delay.yaml, with 400 ms for its 7 s: only jason's calls wait. */
  @Test
  void theFaultFiltersDelayAppliesOnlyToTheRouteMatchingJason() throws Exception {
    try (ControlPlane controlPlane = new ControlPlane(); Backends backends = new Backends("ratings-v1")) {
      HTTPFault delay = HTTPFault.newBuilder().setDelay(io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay
          .newBuilder().setFixedDelay(com.google.protobuf.Duration.newBuilder().setNanos(400_000_000))
          .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build();
      String v1 = istio(9080, "v1", RATINGS);
      HttpFilter faultFilter = HttpFilter.newBuilder().setName("envoy.filters.http.fault")
          .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())).build();
      controlPlane.set(Resources.snapshot("1", List.of(listener(RATINGS + ":9080", "ratings-9080", faultFilter)),
          List.of(routes("ratings-9080", List.of(RATINGS + ":9080", "ratings"),
              jason(v1).toBuilder().putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(delay)).build(),
              Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), v1))),
          List.of(cluster(v1)), List.of(endpoints(v1, backends.port("ratings-v1")))));
      MeshConfig config = MeshConfig.builder().discovery("xds", Map.of("server-uri", controlPlane.target(),
          "node-id", "test~productpage", "services", Map.of("ratings", RATINGS + ":9080"))).build();
      try (Mesh mesh = Mesh.builder().config(config).build()) {
        call(mesh, "http://ratings/ratings/0", "alice"); // warm the connection
        for (int i = 0; i < 3; i++) {
          long start = System.nanoTime();
          assertThat(call(mesh, "http://ratings/ratings/0", "jason")).isEqualTo("200 ratings-v1");
          assertThat((System.nanoTime() - start) / 1_000_000).as("jason's call, ms").isGreaterThanOrEqualTo(400);
        }
        for (int i = 0; i < 10; i++) {
          long start = System.nanoTime();
          assertThat(call(mesh, "http://ratings/ratings/0", "alice")).isEqualTo("200 ratings-v1");
          assertThat((System.nanoTime() - start) / 1_000_000).as("alice's call, ms").isLessThan(300);
        }
      }
    }
  }

  static String call(Mesh mesh, String url, String user) throws java.io.IOException {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url(url).header("end-user", user).build()).execute()) {
      return r.code() + " " + r.body().string();
    }
  }
}
