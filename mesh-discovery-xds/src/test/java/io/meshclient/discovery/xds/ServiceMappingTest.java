package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.istio;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.RuntimeDouble;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.type.v3.Percent;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.SlowStartConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How listeners, routes, clusters and endpoints become a service's mesh settings and instances. */
class ServiceMappingTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");
  static final String ALL = istio(9080, "", "reviews.default.svc.cluster.local");

  XdsResources resources(Route... routes) {
    XdsResources r = new XdsResources();
    r.listeners.put("reviews:9080", ListenerResource.decode(Any.pack(Resources.listener("reviews:9080", "rc"))));
    r.routes.put("rc", Resources.routes("rc", List.of("reviews"), routes));
    r.clusters.put(V1, ClusterResource.decode(Any.pack(Resources.cluster(V1))));
    r.clusters.put(ALL, ClusterResource.decode(Any.pack(Resources.cluster(ALL))));
    r.endpoints.put(V1, EndpointResource.decode(Any.pack(Resources.endpoints(V1, 9081, 9082))));
    r.endpoints.put(ALL, EndpointResource.decode(Any.pack(Resources.endpoints(ALL, 9081, 9082, 9083))));
    r.clustersKnown = true;
    return r;
  }

  @Test
  void istioClusterNamesBecomeSubsetsOfTheServiceTheUrlNames() {
    Route toV1 = Resources.to(RouteMatch.newBuilder().setPrefix("/api").build(), V1).toBuilder()
        .setRoute(RouteAction.newBuilder().setCluster(V1).setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(2))
            .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("connect-failure,gateway-error")
                .setNumRetries(UInt32Value.of(3)).setPerTryTimeout(com.google.protobuf.Duration.newBuilder().setNanos(300_000_000))))
        .build();
    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null,
        resources(toV1, Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), ALL)));

    ServiceConfig c = m.config();
    assertThat(c.subsets()).containsEntry("v1", Map.of("xds.cluster", V1)).containsEntry("reviews", Map.of("xds.cluster", ALL))
        .containsEntry("xds-unroutable", Map.of("xds.cluster", ""));
    RouteConfig first = c.routes().get(0);
    assertThat(first.to()).isEqualTo("v1");
    assertThat(first.match().path().toString()).isEqualTo("prefix:/api");
    assertThat(first.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(first.retry().attempts()).isEqualTo(4);
    assertThat(first.retry().on()).containsExactly(RetryConfig.Condition.CONNECT_FAILURE);
    assertThat(first.retry().statuses()).containsExactlyInAnyOrder(502, 503, 504);
    assertThat(first.retry().perTryTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(c.routes().get(1).to()).isEqualTo("reviews");
    assertThat(c.routes().get(2).to()).as("what no xDS route matches fails").isEqualTo("xds-unroutable");
    assertThat(c.loadBalancer().name()).isEqualTo("weighted-round-robin");
    assertThat(c.outlierDetection()).isEqualTo(ServiceConfig.OUTLIER_DETECTION_OFF);
    assertThat(m.instances()).hasSize(5);
    assertThat(m.instances()).extracting(i -> i.id()).contains("v1/127.0.0.1:9081", "reviews/127.0.0.1:9083");
    assertThat(m.edsNames()).containsExactly(V1, ALL);
    assertThat(m.notes()).isEmpty();
  }

  @Test
  void aRouteMatchingOnQueryParametersNeverMatchesAndIsReported() {
    Route byQuery = Resources.to(RouteMatch.newBuilder().setPrefix("/")
        .addQueryParameters(QueryParameterMatcher.newBuilder().setName("beta").setPresentMatch(true)).build(), V1);
    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null,
        resources(byQuery, Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), ALL)));

    assertThat(m.config().routes()).extracting(RouteConfig::to).containsExactly("reviews", "xds-unroutable");
    assertThat(m.notes()).containsExactly("route_configuration rc: virtual_hosts reviews: routes[0]: "
        + "match.query_parameters/runtime_fraction/grpc/tls_context/dynamic_metadata are not implemented: "
        + "the route never matches");
  }

  @Test
  void aServiceWhoseListenerIsUnknownFailsEveryCall() {
    ServiceMapping m = ServiceMapping.map("ratings", "ratings:9080", "xds", null, resources());
    assertThat(m.described()).isFalse();
    assertThat(m.instances()).isEmpty();
    assertThat(m.config().routes()).extracting(RouteConfig::to).containsExactly("xds-unroutable");
    assertThat(m.edsNames()).isEqualTo(Set.of());
  }

  @Test
  void aClustersSlowStartConfigBecomesTheServicesSlowStart() {
    XdsResources r = resources(Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1));
    Cluster warming = Resources.cluster(V1).toBuilder().setRoundRobinLbConfig(Cluster.RoundRobinLbConfig.newBuilder()
        .setSlowStartConfig(Cluster.SlowStartConfig.newBuilder()
            .setSlowStartWindow(com.google.protobuf.Duration.newBuilder().setSeconds(30))
            .setAggression(RuntimeDouble.newBuilder().setDefaultValue(2.0).setRuntimeKey("k"))
            .setMinWeightPercent(Percent.newBuilder().setValue(20)))).build();
    r.clusters.put(V1, ClusterResource.decode(Any.pack(warming)));

    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, r);

    assertThat(m.config().slowStart()).isEqualTo(new SlowStartConfig(Duration.ofSeconds(30), 2.0, 20));
    assertThat(m.notes()).isEmpty();
  }

  @Test
  void aSlowStartTheMeshCannotFollowIsInvalidNamingTheField() {
    Cluster bad = Resources.cluster(V1).toBuilder().setLeastRequestLbConfig(Cluster.LeastRequestLbConfig.newBuilder()
        .setSlowStartConfig(Cluster.SlowStartConfig.newBuilder()
            .setSlowStartWindow(com.google.protobuf.Duration.newBuilder().setSeconds(10))
            .setAggression(RuntimeDouble.newBuilder().setDefaultValue(0).setRuntimeKey("k")))).build();
    assertThatThrownBy(() -> ClusterResource.decode(Any.pack(bad))).hasMessage("cluster " + V1
        + ": least_request_lb_config.slow_start_config.aggression.default_value: 0.0 (expected: above 0 up to 10)");
  }

  @Test
  void headerChangesOfRouteVirtualHostAndRouteConfigurationMergeWithTheLeastSpecificWinning() {
    Route route = Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1).toBuilder()
        .addRequestHeadersToAdd(XdsRouteTransformsTest.header("x-level", "route", false))
        .addRequestHeadersToAdd(XdsRouteTransformsTest.header("x-client", "%DOWNSTREAM_REMOTE_ADDRESS%", false))
        .addRequestHeadersToAdd(HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey("x-once")
            .setValue("1")).setAppendAction(HeaderValueOption.HeaderAppendAction.ADD_IF_ABSENT))
        .addResponseHeadersToAdd(XdsRouteTransformsTest.header("x-tag", "a", true)).build();
    XdsResources r = resources(route);
    RouteConfiguration rc = r.routes.get("rc");
    r.routes.put("rc", rc.toBuilder().addRequestHeadersToAdd(XdsRouteTransformsTest.header("x-level", "config", false))
        .addRequestHeadersToRemove("X-Forwarded-Client-Cert").build());

    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, r);

    RouteConfig first = m.config().routes().get(0);
    assertThat(first.requestHeaders()).isEqualTo(new RouteConfig.HeaderOps(Map.of("x-level", "config"), Map.of(),
        List.of("x-forwarded-client-cert")));
    assertThat(first.responseHeaders()).isEqualTo(new RouteConfig.HeaderOps(Map.of(), Map.of("x-tag", "a"), List.of()));
    assertThat(m.notes()).containsExactly(
        "route_configuration rc: virtual_hosts reviews: routes[0]: request_headers_to_add[1] (x-client): "
            + "%COMMAND% substitutions are not implemented: the header is not changed",
        "route_configuration rc: virtual_hosts reviews: routes[0]: request_headers_to_add[2] (x-once): "
            + "append_action ADD_IF_ABSENT is not implemented: the header is not changed");
  }

  @Test
  void aHeaderChangeToHostOrAPseudoHeaderIsInvalidNamingTheField() {
    Route route = Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1).toBuilder()
        .addRequestHeadersToAdd(XdsRouteTransformsTest.header(":authority", "evil", false)).build();
    assertThatThrownBy(() -> ServiceMapping.map("reviews", "reviews:9080", "xds", null, resources(route)))
        .isInstanceOf(XdsInvalidException.class).hasMessage("route_configuration rc: virtual_hosts reviews: routes[0]: "
            + "request_headers_to_add[0].header.key: :authority (expected: a header name other than host and pseudo-headers)");
  }
}
