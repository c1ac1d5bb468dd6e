package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ACK/NACK, EDS removal, reconnects and the does-not-exist timer against a real xDS server. */
class XdsProtocolTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");
  static final String V2 = istio(9080, "v2", "reviews.default.svc.cluster.local");
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  ControlPlane controlPlane;
  Backends backends;
  XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backends = new Backends("a1", "a2", "b1");
  }

  @AfterEach
  void stop() throws Exception {
    backends.close();
    controlPlane.close();
  }

  ServiceDiscovery xds(Map<String, Object> extra) {
    Map<String, Object> settings = new LinkedHashMap<>(Map.of("server-uri", controlPlane.target(),
        "node-id", "test~reviews", "services", Map.of("reviews", 9080)));
    settings.putAll(extra);
    return new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds", settings));
  }

  Snapshot snapshot(String version, List<Route> routes, int[] v1Ports, int... v2Ports) {
    return Resources.snapshot(version, List.of(listener("reviews:9080", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews:9080", "reviews"), routes.toArray(Route[]::new))),
        List.of(cluster(V1), cluster(V2)), List.of(endpoints(V1, v1Ports), endpoints(V2, v2Ports)));
  }

  Snapshot allToV1(String version, int... v1Ports) {
    return snapshot(version, List.of(split(Map.of(V1, 100))), v1Ports, backends.port("b1"));
  }

  @Test
  void invalidRoutesAreNackedNamingTheFieldWhileTheOldRoutesKeepServing() throws Exception {
    controlPlane.set(allToV1("1", backends.port("a1")));
    try (ServiceDiscovery xds = xds(Map.of()); Mesh mesh = Mesh.builder().discovery("xds", xds).build();
        Load load = new Load(mesh, "reviews", 2)) {
      Load.await(() -> load.answers("a1") > 20, Duration.ofSeconds(10), "calls to a1");

      Route badRegex = Route.newBuilder().setMatch(RouteMatch.newBuilder()
          .setSafeRegex(RegexMatcher.newBuilder().setRegex("/reviews/(["))).setRoute(
              io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder().setCluster(V2)).build();
      controlPlane.set(snapshot("2", List.of(badRegex, split(Map.of(V1, 100))), new int[] {backends.port("a1")},
          backends.port("b1")));
      assertThat(awaitNack("safe_regex").getErrorDetail().getMessage()).isEqualTo("route_configuration reviews-routes: "
          + "virtual_hosts reviews:9080: routes[0]: match.safe_regex.regex: /reviews/([ (expected: an RE2 "
          + "regular expression (missing closing ]))");

      controlPlane.set(snapshot("3", List.of(split(Map.of(V1, 0, V2, 0))), new int[] {backends.port("a1")},
          backends.port("b1")));
      assertThat(awaitNack("weighted_clusters").getErrorDetail().getMessage()).isEqualTo("route_configuration reviews-routes: "
          + "virtual_hosts reviews:9080: routes[0]: route.weighted_clusters.clusters[].weight: sum 0 (expected: a sum > 0)");

      String unknown = istio(9080, "v9", "reviews.default.svc.cluster.local");
      controlPlane.set(snapshot("4", List.of(split(Map.of(unknown, 100))), new int[] {backends.port("a1")},
          backends.port("b1")));
      assertThat(awaitNack("v9").getErrorDetail().getMessage()).startsWith("route_configuration reviews-routes: "
          + "virtual_hosts reviews:9080: routes[].route.cluster: " + unknown + " (expected: a cluster CDS version 4 has");

      long before = load.answers("a1");
      Load.await(() -> load.answers("a1") > before + 20, Duration.ofSeconds(5), "more calls to a1");
      assertThat(load.answers("b1")).isZero();
      assertThat(load.failures()).isEmpty();
      assertThat(metrics.nacks("rds")).isGreaterThanOrEqualTo(3);
      assertThat(metrics.versions()).containsEntry("rds", "1");
      DiscoveryStatus status = mesh.discoveryStatus().get("xds");
      assertThat(status.connection()).isEqualTo(DiscoveryStatus.Connection.CONNECTED);
      assertThat(status.errors()).isGreaterThanOrEqualTo(3);
      assertThat(status.lastError()).startsWith("NACK RDS version 4: route_configuration reviews-routes");
      assertThat(status.details()).containsEntry("version.rds", "1").containsEntry("version.cds", "4")
          .containsEntry("acks.rds", "1");
      assertThat(Long.parseLong(status.details().get("nacks.rds"))).isGreaterThanOrEqualTo(3);
      assertThat(status.lastUpdate()).isNotNull();

      // gRFC A39: an HTTP filter the client does not know, not optional, fails the listener
      controlPlane.set(Resources.snapshot("5", List.of(listener("reviews:9080", "reviews-routes",
              ListenerResourceTest.UNKNOWN)),
          List.of(routes("reviews-routes", List.of("reviews:9080", "reviews"), split(Map.of(V1, 100)))),
          List.of(cluster(V1), cluster(V2)), List.of(endpoints(V1, backends.port("a1")), endpoints(V2, backends.port("b1")))));
      DiscoveryRequest ldsNack = awaitNack(LDS, "wasm", "4");
      assertThat(ldsNack.getErrorDetail().getMessage()).isEqualTo("listener reviews:9080: api_listener."
          + "http_connection_manager.http_filters[0] (envoy.filters.http.wasm).typed_config: type.googleapis.com/"
          + "envoy.extensions.filters.http.wasm.v3/google.protobuf.Struct (expected: a supported HTTP filter "
          + "(router, fault) or is_optional: true)");

      long afterLds = load.answers("a1");
      Load.await(() -> load.answers("a1") > afterLds + 20, Duration.ofSeconds(5), "calls to a1 after the LDS NACK");
      assertThat(load.answers("b1")).isZero();
      assertThat(load.failures()).isEmpty();
      assertThat(metrics.nacks("lds")).isGreaterThanOrEqualTo(1);
      assertThat(metrics.versions()).containsEntry("lds", "4");
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    assertThat(registry.getMeters()).as("the version is on the actuator only: never a tag")
        .allSatisfy(m -> assertThat(m.getId().getTags()).extracting(Tag::getKey).doesNotContain("version", "version_info"))
        .extracting(m -> m.getId().getName()).contains(XdsDiscoveryMetrics.RESPONSES);
  }

  /**
   * The first NACK of RDS whose error_detail contains {@code text}: it carries the last good version. (The
   * SimpleCache answers a NACK by sending the refused version again, so one version may be NACKed more
   * than once.)
   */
  DiscoveryRequest awaitNack(String text) throws InterruptedException {
    return awaitNack(RDS, text, "1");
  }

  DiscoveryRequest awaitNack(String typeUrl, String text, String lastGood) throws InterruptedException {
    Load.await(() -> nack(typeUrl, text) != null, Duration.ofSeconds(5), "a NACK saying " + text);
    DiscoveryRequest nack = nack(typeUrl, text);
    assertThat(nack.getVersionInfo()).as("the last version ACKed").isEqualTo(lastGood);
    assertThat(nack.getResponseNonce()).isNotEmpty();
    return nack;
  }

  DiscoveryRequest nack(String typeUrl, String text) {
    return controlPlane.nacks().stream().filter(r -> r.getTypeUrl().equals(typeUrl)
        && r.getErrorDetail().getMessage().contains(text)).findFirst().orElse(null);
  }

  @Test
  void anEndpointRemovedByEdsGetsNoCallAfterItsAck() throws Exception {
    controlPlane.set(allToV1("1", backends.port("a1"), backends.port("a2")));
    try (ServiceDiscovery xds = xds(Map.of()); Mesh mesh = Mesh.builder().discovery("xds", xds).build();
        Load load = new Load(mesh, "reviews", 4)) {
      Load.await(() -> load.answers("a1") > 50 && load.answers("a2") > 50, Duration.ofSeconds(10), "calls to a1 and a2");
      controlPlane.set(allToV1("2", backends.port("a1")));
      Load.await(() -> controlPlane.requests().stream().anyMatch(r -> r.getTypeUrl().equals(EDS)
          && r.getVersionInfo().equals("2") && !r.hasErrorDetail()), Duration.ofSeconds(5), "the ACK of EDS version 2");
      Thread.sleep(50); // calls that picked a2 before the ACK was sent finish
      long a2 = backends.counts().get("a2");
      long a1 = load.answers("a1");
      Thread.sleep(500);
      System.out.println("EDS removal: a2 received " + (backends.counts().get("a2") - a2) + " calls in the 500 ms after the ACK");
      assertThat(backends.counts().get("a2")).as("calls a2 received after the ACK").isEqualTo(a2);
      assertThat(load.answers("a1")).isGreaterThan(a1);
      assertThat(load.failures()).isEmpty();
    }
  }

  @Test
  void aServiceTheServerNeverDescribesFailsItsCallsOnceTheResourceTimerFires() throws Exception {
    controlPlane.set(allToV1("1", backends.port("a1")));
    long start = System.nanoTime();
    try (ServiceDiscovery xds = xds(Map.of("services", Map.of("ratings", 9080), "resource-timeout", "500ms",
        "initial-wait", "10s")); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      Duration built = Duration.ofNanos(System.nanoTime() - start);
      assertThat(built).as("the mesh was built when the timer fired, not after the initial wait")
          .isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));
      assertThatThrownBy(() -> Load.call(mesh, "http://ratings/"))
          .isInstanceOf(NoHealthyInstanceException.class)
          .hasMessageContaining("ratings");
    }
  }

  @Test
  void aRestartedControlPlaneIsFollowedWithinFiveSecondsWithNoFailedCall() throws Exception {
    controlPlane.set(allToV1("1", backends.port("a1")));
    try (ServiceDiscovery xds = xds(Map.of("reconnect", Map.of("initial", "1s", "multiplier", 1.6, "max", "2s")));
        Mesh mesh = Mesh.builder().discovery("xds", xds).build(); Load load = new Load(mesh, "reviews", 2)) {
      Load.await(() -> load.answers("a1") > 20, Duration.ofSeconds(10), "calls to a1");
      controlPlane.stop();
      long reconnectsBefore = metrics.reconnects();
      Thread.sleep(20_000);
      long attempts = metrics.reconnects() - reconnectsBefore;
      System.out.println("reconnect attempts while the control plane was down 20 s: " + attempts);
      // 0 s (the stream had answered), then 1 s, 1.6 s, then 2 s each (+-20%): about 10 in 20 s
      assertThat(attempts).as("reconnect attempts in 20 s").isBetween(7L, 16L);
      assertThat(metrics.isConnected()).isFalse();
      DiscoveryStatus down = xds.status();
      assertThat(down.connection()).isEqualTo(DiscoveryStatus.Connection.DISCONNECTED);
      assertThat(down.lastError()).startsWith("stream ended: UNAVAILABLE");
      assertThat(down.errors()).isGreaterThanOrEqualTo(attempts);

      controlPlane.set(snapshot("2", List.of(split(Map.of(V2, 100))), new int[] {backends.port("a1")},
          backends.port("b1")));
      long restarted = System.nanoTime();
      controlPlane.start();
      Load.await(() -> load.answers("b1") > 0, Duration.ofSeconds(10), "a call to b1 after the restart");
      System.out.println("new version served " + (load.firstAnswer("b1") - restarted) / 1_000_000
          + " ms after the restart; calls a1 " + load.answers("a1") + ", b1 " + load.answers("b1") + ", failed "
          + load.failures().size());
      assertThat(Duration.ofNanos(load.firstAnswer("b1") - restarted)).isLessThan(Duration.ofSeconds(5));
      assertThat(load.failures()).isEmpty();
      assertThat(metrics.isConnected()).isTrue();
      assertThat(xds.status().connection()).isEqualTo(DiscoveryStatus.Connection.CONNECTED);
    }
  }
}
