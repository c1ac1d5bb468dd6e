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
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Int64Range;
import com.google.protobuf.BoolValue;
import io.meshclient.api.spi.Setting;
import io.meshclient.core.config.StringMatch;
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

  static XdsResources resources(Route... routes) {
    XdsResources r = new XdsResources();
    r.listeners.put("reviews:9080", ListenerResource.decode(Any.pack(Resources.listener("reviews:9080", "rc"))));
    r.routes.put("rc", Resources.routes("rc", List.of("reviews"), routes));
    r.clusters.put(V1, ClusterResource.decode(Any.pack(Resources.cluster(V1)), Map.of()));
    r.clusters.put(ALL, ClusterResource.decode(Any.pack(Resources.cluster(ALL)), Map.of()));
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
    assertThat(first.retry().on()).as("gateway-error retries resets and per-try timeouts, as in Envoy")
        .containsExactlyInAnyOrder(RetryConfig.Condition.values());
    assertThat(first.retry().statuses()).containsExactlyInAnyOrder(502, 503, 504);
    assertThat(first.retry().perTryTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(first.retry().deadline()).as("Envoy's timeout bounds the whole call").isEqualTo(Duration.ofSeconds(2));
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
  void aRouteTimeoutIsTheCallDeadlineOnTheServicesRetryPolicyWhenTheRouteHasNone() {
    Route timed = Resources.to(RouteMatch.newBuilder().setPrefix("/api").build(), V1).toBuilder()
        .setRoute(RouteAction.newBuilder().setCluster(V1).setTimeout(com.google.protobuf.Duration.newBuilder()
            .setNanos(700_000_000))).build();
    Route off = Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), ALL).toBuilder()
        .setRoute(RouteAction.newBuilder().setCluster(ALL).setTimeout(com.google.protobuf.Duration.newBuilder()))
        .build();
    RetryConfig own = RetryConfig.DEFAULT.withAttempts(5);
    ServiceConfig base = ServiceConfig.builder("reviews").retry(own).build();

    ServiceConfig c = ServiceMapping.map("reviews", "reviews:9080", "xds", base, resources(timed, off)).config();

    assertThat(c.routes().get(0).retry()).isEqualTo(own.withDeadline(Duration.ofMillis(700)));
    assertThat(c.routes().get(0).timeout()).isEqualTo(Duration.ofMillis(700));
    assertThat(c.routes().get(1).retry()).as("timeout 0s: no deadline, the service's policy").isNull();
    assertThat(c.routes().get(1).timeout()).as("timeout 0s: no timeout").isEqualTo(Setting.MAX_DURATION);
    assertThat(ServiceMapping.map("reviews", "reviews:9080", "xds", null, resources(timed, off)).config().routes()
        .get(0).retry()).isEqualTo(RetryConfig.DEFAULT.withDeadline(Duration.ofMillis(700)));
  }

  @Test
  void aRouteWithoutTimeoutHasEnvoysFifteenSecondsUnlessTheApplicationGivesTheServiceATimeout() {
    Route untimed = Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1);

    RouteConfig route = ServiceMapping.map("reviews", "reviews:9080", "xds", null, resources(untimed)).config()
        .routes().get(0);
    assertThat(route.timeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(route.retry()).isEqualTo(RetryConfig.DEFAULT.withDeadline(Duration.ofSeconds(15)));

    ServiceConfig base = ServiceConfig.builder("reviews").timeout(Duration.ofSeconds(3)).build();
    RouteConfig own = ServiceMapping.map("reviews", "reviews:9080", "xds", base, resources(untimed)).config()
        .routes().get(0);
    assertThat(own.timeout()).as("the application's 3 s stand").isNull();
    assertThat(own.retry()).isNull();
  }

  /**
   * A retry_on of conditions the mesh does not implement (gRPC's) left a policy of 3 attempts retrying nothing,
   * which the mesh's validator refuses: the update would be NACKed. It maps to no retry, the conditions noted.
   */
  @Test
  void aRetryOnOfOnlyConditionsNotImplementedIsNoRetryAndTheServiceIsAccepted() {
    Route grpcOnly = Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1).toBuilder()
        .setRoute(RouteAction.newBuilder().setCluster(V1).setRetryPolicy(RetryPolicy.newBuilder()
            .setRetryOn("cancelled,unavailable").setNumRetries(UInt32Value.of(2))))
        .build();
    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, resources(grpcOnly));

    assertThat(m.config().routes().get(0).retry()).as("no retry, under Envoy's default 15 s route timeout")
        .isEqualTo(RetryConfig.NONE.withDeadline(Duration.ofSeconds(15)));
    assertThat(m.notes()).hasSize(2).allMatch(note -> note.endsWith(" is a gRPC status condition: HTTP calls are "
        + "not retried on it (as in Envoy)"));
    assertThat(io.meshclient.core.config.MeshConfig.builder().service(m.config()).build().service("reviews"))
        .isNotNull();
  }

  static HeaderMatcher.Builder header(String name) {
    return HeaderMatcher.newBuilder().setName(name);
  }

  static QueryParameterMatcher query(String name, StringMatcher.Builder match) {
    return QueryParameterMatcher.newBuilder().setName(name).setStringMatch(match).build();
  }

  @Test
  void queryParameterInvertedHeaderAndCaseInsensitivePathMatchesBecomeTheMeshsMatch() {
    Route route = Resources.to(RouteMatch.newBuilder().setPrefix("/API/").setCaseSensitive(BoolValue.of(false))
        .addQueryParameters(query("beta", StringMatcher.newBuilder().setExact("On").setIgnoreCase(true)))
        .addQueryParameters(query("tag", StringMatcher.newBuilder().setSuffix(".v2")))
        .addQueryParameters(QueryParameterMatcher.newBuilder().setName("debug").setPresentMatch(true))
        .addQueryParameters(QueryParameterMatcher.newBuilder().setName("trace"))
        .addHeaders(header("end-user").setInvertMatch(true).setStringMatch(StringMatcher.newBuilder().setExact("jason")))
        .addHeaders(header("x-canary").setPresentMatch(true).setInvertMatch(true))
        .addHeaders(header("x-team").setPresentMatch(false))
        .addHeaders(header("x-zone").setStringMatch(StringMatcher.newBuilder().setPrefix("EU-").setIgnoreCase(true)))
        .build(), V1);

    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, resources(route));

    RouteConfig.Match match = m.config().routes().get(0).match();
    assertThat(match.path()).isEqualTo(StringMatch.prefix("/API/"));
    assertThat(match.ignoreUriCase()).isTrue();
    assertThat(match.queryParams()).containsExactly(
        Map.entry("beta", StringMatch.regex("(?i)On")),
        Map.entry("tag", StringMatch.regex(".*\\.v2")),
        Map.entry("debug", StringMatch.present()),
        Map.entry("trace", StringMatch.present()));
    assertThat(match.headers()).as("an inverted value match requires the header, as in Envoy").containsExactly(
        Map.entry("end-user", StringMatch.present()),
        Map.entry("x-zone", StringMatch.regex("(?i)EU-.*")));
    assertThat(match.withoutHeaders()).containsExactly(
        Map.entry("end-user", StringMatch.exact("jason")),
        Map.entry("x-canary", StringMatch.present()),
        Map.entry("x-team", StringMatch.present()));
    assertThat(m.notes()).isEmpty();
  }

  @Test
  void matchesTheMeshCannotEvaluateNeverMatchAndAreReported() {
    Route range = Resources.to(RouteMatch.newBuilder().setPrefix("/")
        .addHeaders(header("x-n").setRangeMatch(Int64Range.newBuilder().setStart(1).setEnd(5))).build(), V1);
    Route missingAsEmpty = Resources.to(RouteMatch.newBuilder().setPrefix("/")
        .addHeaders(header("x-a").setExactMatch("").setTreatMissingHeaderAsEmpty(true)).build(), V1);
    Route twice = Resources.to(RouteMatch.newBuilder().setPrefix("/")
        .addHeaders(header("x-b").setPrefixMatch("a")).addHeaders(header("x-b").setSuffixMatch("z")).build(), V1);
    Route invertedMethod = Resources.to(RouteMatch.newBuilder().setPrefix("/")
        .addHeaders(header(":method").setExactMatch("GET").setInvertMatch(true)).build(), V1);
    Route neverPresent = Resources.to(RouteMatch.newBuilder().setPrefix("/")
        .addQueryParameters(QueryParameterMatcher.newBuilder().setName("beta").setPresentMatch(false)).build(), V1);
    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, resources(range, missingAsEmpty,
        twice, invertedMethod, neverPresent, Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), ALL)));

    assertThat(m.config().routes()).extracting(RouteConfig::to).containsExactly("reviews", "xds-unroutable");
    String at = "route_configuration rc: virtual_hosts reviews: routes";
    assertThat(m.notes()).as("present_match false never matches in Envoy either: nothing to report").containsExactly(
        at + "[0]: match.headers[0] (x-n): RANGE_MATCH is not implemented: the route never matches",
        at + "[1]: match.headers[0] (x-a): treat_missing_header_as_empty is not implemented: the route never matches",
        at + "[2]: match.headers[1] (x-b): a second matcher for one header is not implemented: the route never matches",
        at + "[3]: match.headers[0] (:method): a match on a pseudo-header other than an exact :method is not "
            + "implemented: the route never matches");
  }

  @Test
  void aQueryParameterRegexRe2RefusesIsInvalidNamingTheField() {
    Route bad = Resources.to(RouteMatch.newBuilder().setPrefix("/").addQueryParameters(query("id",
        StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("(a")))).build(), V1);
    assertThatThrownBy(() -> ServiceMapping.map("reviews", "reviews:9080", "xds", null, resources(bad)))
        .isInstanceOf(XdsInvalidException.class).hasMessageStartingWith("route_configuration rc: virtual_hosts reviews: "
            + "routes[0]: match.query_parameters[0] (id).string_match.safe_regex.regex: (a (expected: an RE2 regular expression");
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
    r.clusters.put(V1, ClusterResource.decode(Any.pack(warming), Map.of()));

    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, r);

    assertThat(m.config().slowStart()).isEqualTo(new SlowStartConfig(Duration.ofSeconds(30), 2.0, 20));
    assertThat(m.notes()).isEmpty();
  }

  @Test
  void aSlowStartTheMeshCannotFollowIsInvalidNamingTheField() {
    Cluster bad = Resources.cluster(V1).toBuilder().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).setLeastRequestLbConfig(Cluster.LeastRequestLbConfig.newBuilder()
        .setSlowStartConfig(Cluster.SlowStartConfig.newBuilder()
            .setSlowStartWindow(com.google.protobuf.Duration.newBuilder().setSeconds(10))
            .setAggression(RuntimeDouble.newBuilder().setDefaultValue(0).setRuntimeKey("k")))).build();
    assertThatThrownBy(() -> ClusterResource.decode(Any.pack(bad), Map.of())).hasMessage("cluster " + V1
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
