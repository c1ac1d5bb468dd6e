package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshclient.api.NoHealthyInstanceException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A control plane that sends what it was not asked for, or sends it wrong: the client keeps what it accepted,
 * asks for nothing more than it needs, and NACKs naming the problem.
 */
@Timeout(60)
class XdsHostileControlPlaneTest {
  static final String V1 = Resources.istio(9080, "v1", "reviews.default.svc.cluster.local");

  final XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();
  ScriptedControlPlane controlPlane;
  Backends backends;

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
    Map<String, Object> settings = new LinkedHashMap<>(Map.of("server-uri", controlPlane.target(),
        "node-id", "test~productpage", "initial-wait", "0s"));
    if (!services.isEmpty()) {
      settings.put("services", services);
    }
    return new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds", settings));
  }

  @Test
  void aResponseOfATypeNeverAskedForIsIgnoredNotAckedIntoAWildcardSubscription() throws Exception {
    try (ServiceDiscovery xds = xds(Map.of())) {
      controlPlane.awaitRequest(ResourceType.CDS); // no service yet: only clusters are asked for

      controlPlane.send(ResourceType.EDS, "1", Resources.endpoints("reviews", 9080));
      DiscoveryRequest cdsAck = controlPlane.awaitAnswer(controlPlane.send(ResourceType.CDS, "1"));

      assertThat(cdsAck.hasErrorDetail()).isFalse();
      // An ACK of the EDS response would be the first EDS request of the stream, naming no resource: the legacy
      // wildcard, asking for the endpoints of every cluster in the mesh.
      assertThat(controlPlane.requests(ResourceType.EDS)).as("EDS requests").isEmpty();
      assertThat(metrics.versions()).doesNotContainKey("eds");
    }
  }

  @Test
  void anEndpointPriorityAboveEnvoysBoundIsNackedNotReadAsTheHighest() throws Exception {
    reviewsServedByA(mesh -> {
      // b as a failover of uint32 priority 4294967295: read as the int -1, it ranked above a's priority 0
      ClusterLoadAssignment withFailover = Resources.endpoints(V1, backends.port("a")).toBuilder()
          .addEndpoints(Resources.endpoints(V1, backends.port("b")).getEndpoints(0).toBuilder().setPriority(-1))
          .build();
      assertThat(nack(controlPlane.send(ResourceType.EDS, "2", withFailover))).isEqualTo("cluster_load_assignment "
          + V1 + ": endpoints[1].priority: 4294967295 (expected: 0..128, as in Envoy)");

      awaitServedBy(mesh, "a");
      assertThat(backends.counts()).containsEntry("b", 0);
      assertThat(metrics.versions()).containsEntry("eds", "1");
    });
  }

  @Test
  void anEndpointAddressThatIsNoHostIsNackedAndTheAcceptedEndpointsKeepServing() throws Exception {
    reviewsServedByA(mesh -> {
      ClusterLoadAssignment bad = Resources.endpoints(V1, backends.port("b"));
      var group = bad.getEndpoints(0).toBuilder();
      var endpoint = group.getLbEndpoints(0).toBuilder();
      endpoint.getEndpointBuilder().getAddressBuilder().getSocketAddressBuilder().setAddress("127.0.0.1/admin");
      bad = bad.toBuilder().setEndpoints(0, group.setLbEndpoints(0, endpoint)).build();
      assertThat(nack(controlPlane.send(ResourceType.EDS, "2", bad))).isEqualTo("cluster_load_assignment " + V1
          + ": endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: '127.0.0.1/admin' "
          + "(expected: an IP address or host name)");

      awaitServedBy(mesh, "a");
      assertThat(metrics.versions()).containsEntry("eds", "1");
    });
  }

  @Test
  void aDurationBeyondWhatAJavaDurationHoldsIsNackedNamingItsFieldNotAnArithmeticException() throws Exception {
    reviewsServedByA(mesh -> {
      // 10^12 s fits a protobuf int64 and a java.time.Duration, not its nanoseconds
      RouteConfiguration hugePerTry = reviewsRoutes(a -> a.setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx")
          .setPerTryTimeout(seconds(1_000_000_000_000L))));
      assertThat(nack(controlPlane.send(ResourceType.RDS, "2", hugePerTry))).isEqualTo("route_configuration "
          + "reviews-routes: virtual_hosts reviews:9080: routes[0]: route.retry_policy: per_try_timeout: "
          + "{seconds: 1000000000000, nanos: 0} (expected: a duration from 0s to 10000 years)");

      awaitServedBy(mesh, "a");
      assertThat(metrics.versions()).containsEntry("rds", "1");
    });
  }

  @Test
  void aRouteTimeoutLongerThanTheMeshCanHoldIsNoTimeoutAsInEnvoyNotARefusal() throws Exception {
    reviewsServedByA(mesh -> {
      // 1000 h: Envoy takes it; the mesh's durations stop at 596 h
      RouteConfiguration longTimeout = reviewsRoutes(a -> a.setTimeout(seconds(3_600_000)).setRetryPolicy(
          RetryPolicy.newBuilder().setRetryOn("5xx").setPerTryTimeout(seconds(3_600_000))));
      assertAcked(controlPlane.send(ResourceType.RDS, "2", longTimeout));

      awaitServedBy(mesh, "a");
      var route = mesh.config().services().get("reviews").routes().get(0);
      assertThat(route.timeout()).isEqualTo(io.meshclient.api.spi.Setting.MAX_DURATION);
      assertThat(route.retry().perTryTimeout()).isNull();
      assertThat(route.retry().deadline()).isNull();
    });
  }

  @Test
  void anOutOfRangeOutlierEjectionTimeIsNackedNamingItsFieldAndTheAcceptedClusterKeepsServing() throws Exception {
    reviewsServedByA(mesh -> {
      var zeroEjection = Resources.cluster(V1).toBuilder()
          .setOutlierDetection(OutlierDetection.newBuilder().setBaseEjectionTime(seconds(0))).build();
      assertThat(nack(controlPlane.send(ResourceType.CDS, "2", zeroEjection))).isEqualTo("cluster " + V1
          + ": outlier_detection.base_ejection_time: 0ms (expected: between 1ns and 596h)");

      awaitServedBy(mesh, "a");
      assertThat(metrics.versions()).containsEntry("cds", "1");
    });
  }

  @Test
  void istiodsUnlimitedMaxRequestsOfTwoToThe32MinusOneIsTheMeshsHighestCapNotANack() throws Exception {
    reviewsServedByA(mesh -> {
      var unlimited = Resources.cluster(V1).toBuilder().setCircuitBreakers(CircuitBreakers.newBuilder()
          .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(-1)))).build();
      assertAcked(controlPlane.send(ResourceType.CDS, "2", unlimited));

      Load.await(() -> mesh.config().services().get("reviews").maxConcurrentRequests() > 0, Duration.ofSeconds(10),
          "the cap applied");
      assertThat(mesh.config().services().get("reviews").maxConcurrentRequests())
          .isEqualTo(ClusterResource.MAX_CONCURRENT_REQUESTS);
      awaitServedBy(mesh, "a");
    });
  }

  @Test
  void theBoundsXdsValuesAreCappedAtAreTheMeshsOwn() {
    var atBound = io.meshclient.core.config.ServiceConfig.builder("reviews")
        .maxConcurrentRequests(ClusterResource.MAX_CONCURRENT_REQUESTS).build();
    assertThat(io.meshclient.core.config.MeshConfig.builder().replaceService(atBound).build().services()).hasSize(1);
    var above = atBound.toBuilder().maxConcurrentRequests(ClusterResource.MAX_CONCURRENT_REQUESTS + 1).build();
    assertThatThrownBy(() -> io.meshclient.core.config.MeshConfig.builder().replaceService(above).build())
        .hasMessageContaining("max-concurrent-requests");
  }

  @Test
  void splitWeightsAboveTheMeshsBoundAndAbove2To31AreScaledInProportionNotNacked() throws Exception {
    String v2 = Resources.istio(9080, "v2", "reviews.default.svc.cluster.local");
    reviewsServedByA(mesh -> {
      assertAcked(controlPlane.send(ResourceType.EDS, "2", Resources.endpoints(V1, backends.port("a")),
          Resources.endpoints(v2, backends.port("b"))));
      assertAcked(controlPlane.send(ResourceType.CDS, "2", Resources.cluster(V1), Resources.cluster(v2)));
      // 75/25 in Envoy's uint32 weights: 3,000,000,000 reads as a negative int
      Map<String, Integer> weights = new LinkedHashMap<>();
      weights.put(V1, (int) 3_000_000_000L);
      weights.put(v2, 1_000_000_000);
      RouteConfiguration split = Resources.routes("reviews-routes", List.of("reviews:9080"), Resources.split(weights));
      assertAcked(controlPlane.send(ResourceType.RDS, "2", split));

      Load.await(() -> mesh.config().services().get("reviews").routes().get(0).split().size() == 2,
          Duration.ofSeconds(10), "the split applied");
      assertThat(mesh.config().services().get("reviews").routes().get(0).split())
          .containsExactly(Map.entry("v1", RouteMapper.MAX_SPLIT_WEIGHT), Map.entry("v2", 333_333));
      awaitACallAnsweredBy(mesh, "b");
      awaitACallAnsweredBy(mesh, "a");
    });
  }

  @Test
  void theMeshTakesSplitWeightsUpToTheBoundXdsScalesTo() {
    var match = io.meshclient.core.config.RouteConfig.Match.ANY;
    var atBound = io.meshclient.core.config.ServiceConfig.builder("reviews").subset("v1", Map.of("v", "1"))
        .route(io.meshclient.core.config.RouteConfig.split(match, Map.of("v1", RouteMapper.MAX_SPLIT_WEIGHT))).build();
    assertThat(io.meshclient.core.config.MeshConfig.builder().replaceService(atBound).build().services()).hasSize(1);
    var above = io.meshclient.core.config.ServiceConfig.builder("reviews").subset("v1", Map.of("v", "1"))
        .route(io.meshclient.core.config.RouteConfig.split(match, Map.of("v1", RouteMapper.MAX_SPLIT_WEIGHT + 1))).build();
    assertThatThrownBy(() -> io.meshclient.core.config.MeshConfig.builder().replaceService(above).build())
        .hasMessageContaining("split.v1");
  }

  @Test
  void aFractionalPercentNumeratorAbove2To31IsAHundredPercentNotNegative() {
    var threeBillion = io.envoyproxy.envoy.type.v3.FractionalPercent.newBuilder().setNumerator((int) 3_000_000_000L)
        .setDenominator(io.envoyproxy.envoy.type.v3.FractionalPercent.DenominatorType.MILLION).build();
    assertThat(Protos.percent(threeBillion)).isEqualTo(100);
  }

  @Test
  void twoResourcesOfOneNameInAResponseAreNackedAndTheAcceptedOneKeepsServing() throws Exception {
    reviewsServedByA(mesh -> {
      String nonce = controlPlane.send(ResourceType.EDS, "2", Resources.endpoints(V1, backends.port("a")),
          Resources.endpoints(V1, backends.port("b")));
      assertThat(nack(nonce)).isEqualTo("cluster_load_assignment " + V1 + ": name: '" + V1 + "' sent more than once "
          + "(expected: one resource of each name in a response, as Envoy requires)");

      awaitServedBy(mesh, "a");
      assertThat(backends.counts()).containsEntry("b", 0);
      assertThat(metrics.versions()).containsEntry("eds", "1");
    });
  }

  @Test
  void aCallToAClusterTheControlPlaneDeletedFailsSayingSo() throws Exception {
    reviewsServedByA(mesh -> {
      assertAcked(controlPlane.send(ResourceType.CDS, "2", Resources.cluster("other")));

      Load.await(() -> {
        try {
          Load.call(mesh, "http://reviews/");
          return false;
        } catch (NoHealthyInstanceException e) {
          return true;
        } catch (java.io.IOException e) {
          return false;
        }
      }, Duration.ofSeconds(10), "calls failing");
      assertThatThrownBy(() -> Load.call(mesh, "http://reviews/")).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessageEndingWith("cluster " + V1 + " is not among the clusters CDS sent: the control plane deleted it, "
              + "or never sent it");
    });
  }

  @Test
  void aClusterResponseWithAResourceThatDoesNotDecodeDeletesNothing() throws Exception {
    reviewsServedByA(mesh -> {
      // V1 as a listener would have it, and bytes no Cluster decodes from: which cluster either was meant to be
      // cannot be known, so none is taken as deleted
      var garbage = com.google.protobuf.Any.newBuilder().setTypeUrl(ResourceType.CDS.typeUrl())
          .setValue(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2})).build();
      var wrongType = com.google.protobuf.Any.pack(Resources.listener(V1, "reviews-routes"));
      assertThat(nack(controlPlane.send(ResourceType.CDS, "2", garbage, wrongType))).isEqualTo("cluster: resource: "
          + ResourceType.CDS.typeUrl() + " (expected: a decodable envoy.config.cluster.v3.Cluster); cluster: resource: "
          + ResourceType.LDS.typeUrl() + " (expected: a decodable envoy.config.cluster.v3.Cluster)");

      awaitServedBy(mesh, "a");
      assertThat(metrics.versions()).containsEntry("cds", "1");
    });
  }

  @Test
  void dropOverloadsTheMeshDoesNotImplementAreReportedNotIgnoredSilently() throws Exception {
    reviewsServedByA(mesh -> {
      var dropHalf = Resources.endpoints(V1, backends.port("a")).toBuilder().setPolicy(
          ClusterLoadAssignment.Policy.newBuilder().addDropOverloads(ClusterLoadAssignment.Policy.DropOverload.newBuilder()
              .setCategory("throttle").setDropPercentage(io.envoyproxy.envoy.type.v3.FractionalPercent.newBuilder()
                  .setNumerator(50)))).build();
      assertAcked(controlPlane.send(ResourceType.EDS, "2", dropHalf));

      String note = "cluster_load_assignment " + V1 + ": policy.drop_overloads is not implemented: no call is dropped";
      Load.await(() -> metrics.notImplemented().contains(note), Duration.ofSeconds(10), "the note");
      awaitServedBy(mesh, "a");
    });
  }

  @Test
  void aCallToAServiceNotDescribedYetSaysWhatIsMissingAndWhyTheStreamIsDown() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    Map<String, Object> settings = Map.of("server-uri", "127.0.0.1:" + closedPort, "node-id", "test~productpage",
        "initial-wait", "1s", "services", Map.of("reviews", 9080));
    try (ServiceDiscovery xds = new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds",
        settings)); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      Load.await(() -> xds.status().lastError() != null, Duration.ofSeconds(10), "the stream failing");
      assertThatThrownBy(() -> Load.call(mesh, "http://reviews/")).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessageContaining("listener reviews:9080 has not been received from the control plane; "
              + "the ADS stream to the control plane is down (UNAVAILABLE: ");
    }
  }

  @Test
  void aCallToAServiceWhoseListenerWasNotSentYetSaysSo() throws Exception {
    try (ServiceDiscovery xds = xds(Map.of("reviews", 9080)); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      controlPlane.awaitRequest(ResourceType.LDS);
      assertAcked(controlPlane.send(ResourceType.CDS, "1", Resources.cluster(V1)));

      assertThatThrownBy(() -> Load.call(mesh, "http://reviews/")).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessageEndingWith("listener reviews:9080 has not been received from the control plane");
    }
  }
}
