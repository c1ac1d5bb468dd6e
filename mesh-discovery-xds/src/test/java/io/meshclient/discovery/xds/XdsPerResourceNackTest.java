package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * gRFC A46 against a real xDS server: a response with invalid resources is NACKed naming each of them,
 * while its valid resources are applied; an invalid resource keeps its accepted version, or, with none, is
 * treated as not existing and its calls fail saying what the control plane sent and why it is invalid.
 */
@Timeout(60)
class XdsPerResourceNackTest {
  static final List<String> SERVICES = List.of("reviews", "ratings", "details");
  static final String BAD_REGEX = "/(["; // RE2: missing closing ]

  final XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();
  Backends backends;
  ControlPlane controlPlane;

  @BeforeEach
  void start() throws Exception {
    backends = new Backends("reviews-a", "reviews-b", "ratings-a", "ratings-b", "details-a", "details-b");
    controlPlane = new ControlPlane();
  }

  @AfterEach
  void stop() throws Exception {
    backends.close();
    controlPlane.close();
  }

  static String cluster(String service) {
    return istio(9080, "v1", service + ".default.svc.cluster.local");
  }

  /** {@code service}'s cluster, its endpoints the EDS resource named after the backend {@code backend}. */
  static Cluster clusterTo(String service, String backend) {
    Cluster c = Resources.cluster(cluster(service));
    return c.toBuilder().setEdsClusterConfig(c.getEdsClusterConfig().toBuilder().setServiceName(backend)).build();
  }

  /** Invalid: a concurrency cap of 0. */
  static Cluster invalid(Cluster c) {
    return c.toBuilder().setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(
        CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(0)))).build();
  }

  static String invalidDetail(String service) {
    return "cluster " + cluster(service) + ": circuit_breakers.thresholds.max_requests: 0 (expected: >= 1)";
  }

  /** Each service's route configuration sending every call to its cluster. */
  static RouteConfiguration routesOf(String service) {
    return routes(service + "-routes", List.of(service + ":9080", service),
        to(RouteMatch.newBuilder().setPrefix("/").build(), cluster(service)));
  }

  /** Valid for RDS alone, invalid in its match: an RE2 regular expression that does not compile. */
  static RouteConfiguration badRoutesOf(String service) {
    return routes(service + "-routes", List.of(service + ":9080", service), to(RouteMatch.newBuilder()
        .setSafeRegex(RegexMatcher.newBuilder().setRegex(BAD_REGEX)).build(), cluster(service)));
  }

  static String badRoutesDetail(String service) {
    return "route_configuration " + service + "-routes: virtual_hosts " + service + ":9080: routes[0]: "
        + "match.safe_regex.regex: " + BAD_REGEX + " (expected: an RE2 regular expression (missing closing ]))";
  }

  static List<Listener> everyListener() {
    return SERVICES.stream().map(s -> listener(s + ":9080", s + "-routes")).toList();
  }

  static List<RouteConfiguration> everyRouteConfiguration() {
    return SERVICES.stream().map(XdsPerResourceNackTest::routesOf).toList();
  }

  /** Every backend's endpoints, as an EDS resource named after it. */
  List<ClusterLoadAssignment> everyBackend() {
    return backends.counts().keySet().stream().map(b -> endpoints(b, backends.port(b))).toList();
  }

  /** Every service's listener, the route configurations and clusters given, and every backend's endpoints. */
  Snapshot snapshot(String version, List<RouteConfiguration> routes, List<Cluster> clusters) {
    return snapshot(version, everyListener(), routes, clusters);
  }

  Snapshot snapshot(String version, List<Listener> listeners, List<RouteConfiguration> routes, List<Cluster> clusters) {
    return Resources.snapshot(version, listeners, routes, clusters, everyBackend());
  }

  /** Each service's cluster, its endpoints its "-a" backend's. */
  static List<Cluster> everyCluster() {
    return SERVICES.stream().map(s -> clusterTo(s, s + "-a")).toList();
  }

  Snapshot listeners(String version, Listener... listeners) {
    return snapshot(version, List.of(listeners), everyRouteConfiguration(), everyCluster());
  }

  Snapshot clusters(String version, Cluster... clusters) {
    return snapshot(version, everyRouteConfiguration(), List.of(clusters));
  }

  Snapshot routeConfigurations(String version, RouteConfiguration... routes) {
    return snapshot(version, List.of(routes), List.of(clusterTo("reviews", "reviews-a"),
        clusterTo("reviews-v2", "reviews-b"), clusterTo("ratings", "ratings-a"), clusterTo("details", "details-a")));
  }

  ServiceDiscovery xds() {
    return new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds",
        Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage",
            "services", Map.of("reviews", 9080, "ratings", 9080, "details", 9080))));
  }

  static String call(Mesh mesh, String service) throws IOException {
    return Load.call(mesh, "http://" + service + "/");
  }

  /** Waits until a call to {@code service} is answered by {@code backend}. */
  static void awaitAnswer(Mesh mesh, String service, String backend) throws InterruptedException {
    Load.await(() -> {
      try {
        return call(mesh, service).equals(backend);
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }, Duration.ofSeconds(10), "a call to " + service + " answered by " + backend);
  }

  /** The first NACK of {@code type} whose error_detail contains {@code text}. */
  DiscoveryRequest awaitNack(ResourceType type, String text) throws InterruptedException {
    Load.await(() -> nack(type, text) != null, Duration.ofSeconds(10), "a NACK saying " + text);
    return nack(type, text);
  }

  DiscoveryRequest nack(ResourceType type, String text) {
    return controlPlane.nacks().stream().filter(r -> r.getTypeUrl().equals(type.typeUrl())
        && r.getErrorDetail().getMessage().contains(text)).findFirst().orElse(null);
  }

  void awaitAck(ResourceType type, String version) throws InterruptedException {
    Load.await(() -> controlPlane.requests().stream().anyMatch(r -> r.getTypeUrl().equals(type.typeUrl())
        && !r.hasErrorDetail() && r.getVersionInfo().equals(version)), Duration.ofSeconds(10),
        "the ACK of " + type + " version " + version);
  }

  @Test
  void theValidClustersOfANackedResponseApplyAndTheInvalidOneKeepsItsAcceptedVersion() throws Exception {
    controlPlane.set(clusters("1", clusterTo("reviews", "reviews-a"), clusterTo("ratings", "ratings-a"),
        clusterTo("details", "details-a")));
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(call(mesh, "reviews")).isEqualTo("reviews-a");
      assertThat(call(mesh, "ratings")).isEqualTo("ratings-a");
      assertThat(call(mesh, "details")).isEqualTo("details-a");

      controlPlane.set(clusters("2", clusterTo("reviews", "reviews-b"), clusterTo("ratings", "ratings-b"),
          invalid(clusterTo("details", "details-b"))));

      DiscoveryRequest nack = awaitNack(ResourceType.CDS, cluster("details"));
      assertThat(nack.getErrorDetail().getMessage()).isEqualTo(invalidDetail("details"));
      assertThat(nack.getVersionInfo()).as("the last version ACKed").isEqualTo("1");
      awaitAnswer(mesh, "reviews", "reviews-b");
      awaitAnswer(mesh, "ratings", "ratings-b");
      assertThat(call(mesh, "details")).as("the accepted version of the invalid cluster").isEqualTo("details-a");
      assertThat(backends.counts()).containsEntry("details-b", 0);
      assertThat(metrics.versions()).containsEntry("cds", "1");
      assertThat(metrics.nacks("cds")).isPositive();
      assertThat(xds.status().lastError()).isEqualTo("NACK CDS version 2: " + invalidDetail("details"));
    }
  }

  @Test
  void everyInvalidClusterIsNamedInTheNack() throws Exception {
    controlPlane.set(clusters("1", clusterTo("reviews", "reviews-a"), invalid(clusterTo("ratings", "ratings-a")),
        invalid(clusterTo("details", "details-a"))));
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      DiscoveryRequest nack = awaitNack(ResourceType.CDS, cluster("details"));
      assertThat(nack.getErrorDetail().getMessage()).as("in name order")
          .isEqualTo(invalidDetail("details") + "; " + invalidDetail("ratings"));
      assertThat(nack.getVersionInfo()).as("nothing ACKed yet").isEmpty();
      assertThat(call(mesh, "reviews")).as("the valid cluster of the first response").isEqualTo("reviews-a");
    }
  }

  @Test
  void aClusterSentInvalidWithNoAcceptedVersionFailsItsCallsNamingItAndItsProblemUntilTheServerFixesIt()
      throws Exception {
    controlPlane.set(clusters("1", clusterTo("reviews", "reviews-a"), clusterTo("ratings", "ratings-a"),
        invalid(clusterTo("details", "details-a"))));
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      awaitNack(ResourceType.CDS, cluster("details"));
      assertThat(call(mesh, "reviews")).isEqualTo("reviews-a");

      assertThatThrownBy(() -> call(mesh, "details")).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessage("no healthy instance of service 'details' in subset 'v1': cluster " + cluster("details")
              + " has no accepted version: the control plane sent an invalid one (CDS version 1, NACKed): "
              + invalidDetail("details"));
      assertThat(backends.counts()).containsEntry("details-a", 0);

      controlPlane.set(clusters("2", clusterTo("reviews", "reviews-a"), clusterTo("ratings", "ratings-a"),
          clusterTo("details", "details-a")));

      awaitAck(ResourceType.CDS, "2");
      awaitAnswer(mesh, "details", "details-a");
      assertThat(call(mesh, "reviews")).isEqualTo("reviews-a");
    }
  }

  @Test
  void routeConfigurationsAreAcceptedOrRefusedEachOnItsOwn() throws Exception {
    controlPlane.set(routeConfigurations("1", routesOf("reviews"), routesOf("ratings"), badRoutesOf("details")));
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(awaitNack(ResourceType.RDS, "details-routes").getErrorDetail().getMessage())
          .isEqualTo(badRoutesDetail("details"));
      assertThat(call(mesh, "reviews")).isEqualTo("reviews-a");
      assertThat(call(mesh, "ratings")).isEqualTo("ratings-a");
      assertThatThrownBy(() -> call(mesh, "details")).as("a route configuration never accepted")
          .isInstanceOf(NoHealthyInstanceException.class)
          .hasMessage("no healthy instance of service 'details' in subset 'xds-unroutable': route_configuration "
              + "details-routes has no accepted version: the control plane sent an invalid one (RDS version 1, "
              + "NACKed): " + badRoutesDetail("details"));

      RouteConfiguration reviewsToV2 = routes("reviews-routes", List.of("reviews:9080", "reviews"),
          to(RouteMatch.newBuilder().setPrefix("/").build(), cluster("reviews-v2")));
      controlPlane.set(routeConfigurations("2", reviewsToV2, badRoutesOf("ratings"), badRoutesOf("details")));

      DiscoveryRequest nack = awaitNack(ResourceType.RDS, "ratings-routes");
      assertThat(nack.getErrorDetail().getMessage()).isEqualTo(badRoutesDetail("details") + "; "
          + badRoutesDetail("ratings"));
      assertThat(nack.getVersionInfo()).as("no RDS version was ACKed").isEmpty();
      awaitAnswer(mesh, "reviews", "reviews-b");
      assertThat(call(mesh, "ratings")).as("its accepted version").isEqualTo("ratings-a");

      controlPlane.set(routeConfigurations("3", reviewsToV2, routesOf("ratings"), routesOf("details")));

      awaitAck(ResourceType.RDS, "3");
      awaitAnswer(mesh, "details", "details-a");
      assertThat(call(mesh, "ratings")).isEqualTo("ratings-a");
      assertThat(call(mesh, "reviews")).isEqualTo("reviews-b");
    }
  }

  @Test
  void aListenerSentInvalidWithNoAcceptedVersionFailsItsServiceNamingItWhileTheOthersServe() throws Exception {
    Listener unknownFilter = listener("details:9080", "details-routes", ListenerResourceTest.UNKNOWN);
    controlPlane.set(listeners("1", listener("reviews:9080", "reviews-routes"), listener("ratings:9080",
        "ratings-routes"), unknownFilter));
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      String detail = awaitNack(ResourceType.LDS, "details:9080").getErrorDetail().getMessage();
      assertThat(detail).startsWith("listener details:9080: api_listener.http_connection_manager.http_filters[0] "
          + "(envoy.filters.http.wasm).typed_config: ");
      assertThat(call(mesh, "reviews")).isEqualTo("reviews-a");
      assertThat(call(mesh, "ratings")).isEqualTo("ratings-a");
      assertThatThrownBy(() -> call(mesh, "details")).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessage("no healthy instance of service 'details' in subset 'xds-unroutable': listener details:9080 "
              + "has no accepted version: the control plane sent an invalid one (LDS version 1, NACKed): " + detail);

      controlPlane.set(listeners("2", listener("reviews:9080", "reviews-routes"), listener("ratings:9080",
          "ratings-routes"), listener("details:9080", "details-routes")));

      awaitAck(ResourceType.LDS, "2");
      awaitAnswer(mesh, "details", "details-a");
    }
  }

  @Test
  void endpointsSentInvalidWithNoAcceptedVersionFailTheirClustersCallsNamingThemUntilFixed() throws Exception {
    controlPlane.set(Resources.snapshot("1", everyListener(), everyRouteConfiguration(), everyCluster(),
        List.of(endpoints("reviews-a", backends.port("reviews-a")), endpoints("ratings-a", backends.port("ratings-a")),
            endpoints("details-a", 0))));
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      String detail = awaitNack(ResourceType.EDS, "details-a").getErrorDetail().getMessage();
      assertThat(detail).isEqualTo("cluster_load_assignment details-a: endpoints[0].lb_endpoints[0].endpoint.address"
          + ".socket_address.port_value: 0 (expected: 1..65535)");
      assertThat(call(mesh, "reviews")).isEqualTo("reviews-a");
      assertThatThrownBy(() -> call(mesh, "details")).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessage("no healthy instance of service 'details' in subset 'v1': cluster_load_assignment details-a "
              + "has no accepted version: the control plane sent an invalid one (EDS version 1, NACKed): " + detail);

      controlPlane.set(Resources.snapshot("2", everyListener(), everyRouteConfiguration(), everyCluster(), everyBackend()));

      awaitAck(ResourceType.EDS, "2");
      awaitAnswer(mesh, "details", "details-a");
    }
  }
}
