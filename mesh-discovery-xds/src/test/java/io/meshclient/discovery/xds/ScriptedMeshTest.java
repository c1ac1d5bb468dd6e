package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the tests against a {@link ScriptedControlPlane} share: reviews described to a mesh, served by backend a,
 * and the ACK or NACK of each response sent.
 */
abstract class ScriptedMeshTest {
  static final String V1 = Resources.istio(9080, "v1", "reviews.default.svc.cluster.local");

  final XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();
  ScriptedControlPlane controlPlane;
  Backends backends;
  /** The xDS discovery of the mesh {@link #reviewsServedByA} runs a test on. */
  ServiceDiscovery discovery;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ScriptedControlPlane();
    backends = new Backends("a", "b");
  }

  @AfterEach
  void stop() throws Exception {
    backends.close();
    controlPlane.close();
  }

  /** The routes of reviews: every call to cluster V1. */
  static RouteConfiguration reviewsRoutes() {
    return Resources.routes("reviews-routes", List.of("reviews:9080"),
        Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1));
  }

  /** {@code seconds} as a protobuf Duration. */
  static com.google.protobuf.Duration seconds(long seconds) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).build();
  }

  /** The routes of reviews with {@code change} made to the action of its only route. */
  static RouteConfiguration reviewsRoutes(UnaryOperator<RouteAction.Builder> change) {
    RouteConfiguration rc = reviewsRoutes();
    Route route = rc.getVirtualHosts(0).getRoutes(0);
    route = route.toBuilder().setRoute(change.apply(route.getRoute().toBuilder())).build();
    return rc.toBuilder().setVirtualHosts(0, rc.getVirtualHosts(0).toBuilder().setRoutes(0, route)).build();
  }

  /** Describes reviews (its listener, routes, cluster V1 and then {@code endpoints}), each response ACKed. */
  void describeReviews(ClusterLoadAssignment endpoints) throws InterruptedException {
    controlPlane.awaitRequest(ResourceType.LDS);
    assertAcked(controlPlane.send(ResourceType.CDS, "1", Resources.cluster(V1)));
    assertAcked(controlPlane.send(ResourceType.LDS, "1", Resources.listener("reviews:9080", "reviews-routes")));
    assertAcked(controlPlane.send(ResourceType.RDS, "1", reviewsRoutes()));
    assertAcked(controlPlane.send(ResourceType.EDS, "1", endpoints));
  }

  void assertAcked(String nonce) throws InterruptedException {
    assertThat(controlPlane.awaitAnswer(nonce).hasErrorDetail()).as("NACKed").isFalse();
  }

  /** The error_detail of the NACK of the response {@code nonce}. */
  String nack(String nonce) throws InterruptedException {
    DiscoveryRequest answer = controlPlane.awaitAnswer(nonce);
    assertThat(answer.hasErrorDetail()).as("NACKed").isTrue();
    return answer.getErrorDetail().getMessage();
  }

  /** What a test does with a mesh. */
  interface MeshTest {
    void run(Mesh mesh) throws Exception;
  }

  /** Runs {@code test} on a mesh whose xDS discovery describes reviews, served by backend a. */
  void reviewsServedByA(MeshTest test) throws Exception {
    try (ServiceDiscovery xds = xds(Map.of("reviews", 9080)); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      this.discovery = xds;
      describeReviews(Resources.endpoints(V1, backends.port("a")));
      awaitServedBy(mesh, "a");
      test.run(mesh);
    }
  }

  /** Calls reviews until {@code backend} answers a call. */
  static void awaitACallAnsweredBy(Mesh mesh, String backend) throws InterruptedException {
    Load.await(() -> {
      try {
        return Load.call(mesh, "http://reviews/").equals(backend);
      } catch (java.io.IOException | RuntimeException e) {
        return false;
      }
    }, Duration.ofSeconds(10), "a call answered by " + backend);
  }

  /** Waits until calls to reviews are answered by {@code backend}; then ten calls in a row are. */
  void awaitServedBy(Mesh mesh, String backend) throws Exception {
    awaitACallAnsweredBy(mesh, backend);
    for (int i = 0; i < 10; i++) {
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo(backend);
    }
  }

  ServiceDiscovery xds(Map<String, Object> services) {
    return xds(services, Map.of());
  }

  /** The xDS discovery of {@code services}, with {@code more} settings (such as resource-timeout). */
  ServiceDiscovery xds(Map<String, Object> services, Map<String, Object> more) {
    Map<String, Object> settings = new LinkedHashMap<>(Map.of("server-uri", controlPlane.target(),
        "node-id", "test~productpage", "initial-wait", "0s"));
    settings.putAll(more);
    if (!services.isEmpty()) {
      settings.put("services", services);
    }
    return new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds", settings));
  }
}
