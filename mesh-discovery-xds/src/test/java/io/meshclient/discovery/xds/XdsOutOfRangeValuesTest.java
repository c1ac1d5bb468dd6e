package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resources whose values a Java int or Duration, or the mesh, cannot hold as sent (uint32 above 2^31, durations
 * beyond 596h or 10,000 years, weights beyond the mesh's bound): read as Envoy reads them, or NACKed naming the
 * field, never misread, and the accepted resources keep serving.
 */
@Timeout(60)
class XdsOutOfRangeValuesTest extends ScriptedMeshTest {
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
  void aHeaderValueWithALineBreakIsNackedNamingItsFieldAndTheAcceptedRoutesKeepServing() throws Exception {
    reviewsServedByA(mesh -> {
      var injected = io.envoyproxy.envoy.config.core.v3.HeaderValueOption.newBuilder().setHeader(
          io.envoyproxy.envoy.config.core.v3.HeaderValue.newBuilder().setKey("x-team").setValue("a\r\nx-admin: 1"));
      RouteConfiguration routes = reviewsRoutes();
      routes = routes.toBuilder().setVirtualHosts(0, routes.getVirtualHosts(0).toBuilder().setRoutes(0,
          routes.getVirtualHosts(0).getRoutes(0).toBuilder().addRequestHeadersToAdd(injected))).build();
      assertThat(nack(controlPlane.send(ResourceType.RDS, "2", routes))).isEqualTo("route_configuration reviews-routes: "
          + "virtual_hosts reviews:9080: routes[0]: request_headers_to_add[0].header.value (x-team): a\\r\\nx-admin: 1 "
          + "(expected: printable ASCII (OkHttp sends no other character in a header value))");

      awaitServedBy(mesh, "a");
      assertThat(backends.last("a").headers()).doesNotContainKey("x-team");
      assertThat(metrics.versions()).containsEntry("rds", "1");
    });
  }

  @Test
  void aRegexNestedDeeperThanRe2TakesIsNackedNotAStackOverflowThatAnswersNothing() throws Exception {
    reviewsServedByA(mesh -> {
      String deep = "(".repeat(10_000) + "a" + ")".repeat(10_000);
      RouteConfiguration routes = Resources.routes("reviews-routes", List.of("reviews:9080"), Resources.to(
          io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setSafeRegex(
              io.envoyproxy.envoy.type.matcher.v3.RegexMatcher.newBuilder().setRegex(deep)).build(), V1));
      assertThat(nack(controlPlane.send(ResourceType.RDS, "2", routes))).isEqualTo("route_configuration reviews-routes: "
          + "virtual_hosts reviews:9080: routes[0]: match.safe_regex.regex: " + "(".repeat(100) + "... (expected: an RE2 "
          + "regular expression (groups nested more than 1000 deep are not supported))");

      awaitServedBy(mesh, "a");
      assertThat(metrics.versions()).containsEntry("rds", "1");
    });
  }

  @Test
  void aHostRewriteThatIsNoHostIsNackedNamingItsFieldAndTheAcceptedRoutesKeepServing() throws Exception {
    reviewsServedByA(mesh -> {
      RouteConfiguration routes = reviewsRoutes(a -> a.setHostRewriteLiteral("ratings/admin?x=1"));
      assertThat(nack(controlPlane.send(ResourceType.RDS, "2", routes))).isEqualTo("route_configuration reviews-routes: "
          + "virtual_hosts reviews:9080: routes[0]: route.host_rewrite_literal: ratings/admin?x=1 (expected: a host with "
          + "an optional port, such as ratings.internal:8080)");

      awaitServedBy(mesh, "a");
      assertThat(metrics.versions()).containsEntry("rds", "1");
    });
  }
}
