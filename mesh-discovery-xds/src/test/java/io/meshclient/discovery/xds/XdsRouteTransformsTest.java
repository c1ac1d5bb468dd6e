package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Header changes and rewrites a control plane sends reach the wire: {@code request_headers_to_add/remove}
 * and {@code response_headers_to_add/remove} of the route and its virtual host, {@code prefix_rewrite} and
 * {@code host_rewrite_literal}; a rewrite the mesh cannot perform fails the route's calls and is reported.
 */
class XdsRouteTransformsTest {
  static final String HOST = "reviews.default.svc.cluster.local";
  static final String V1 = istio(9080, "v1", HOST);

  static HeaderValueOption header(String name, String value, boolean append) {
    return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppend(BoolValue.of(append)).build();
  }

  @Test
  void headerChangesAndRewritesFromXdsAreAppliedToEveryCallOfTheRoute() throws Exception {
    try (ControlPlane controlPlane = new ControlPlane(); Backends backends = new Backends("v1")) {
      Route api = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/api/"))
          .setRoute(RouteAction.newBuilder().setCluster(V1).setPrefixRewrite("/v2/api/")
              .setHostRewriteLiteral("reviews.internal:9080"))
          .addRequestHeadersToAdd(header("x-route", "api", false))
          .addRequestHeadersToAdd(header("x-trace-note", "100%% sampled", true))
          .addRequestHeadersToRemove("x-debug")
          .addResponseHeadersToRemove("x-internal").build();
      Route regex = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/old/"))
          .setRoute(RouteAction.newBuilder().setCluster(V1).setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
              .setPattern(RegexMatcher.newBuilder().setRegex("^/old/(.*)$")).setSubstitution("/new/\\1"))).build();
      Route rest = Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1).toBuilder()
          .setRoute(RouteAction.newBuilder().setCluster(V1).setPrefixRewrite("/root/")).build();
      RouteConfiguration rc = RouteConfiguration.newBuilder().setName("reviews-9080")
          .addVirtualHosts(VirtualHost.newBuilder().setName("reviews").addAllDomains(List.of(HOST + ":9080", "reviews"))
              .addRequestHeadersToAdd(header("x-mesh", "xds", false))
              .addResponseHeadersToAdd(header("x-served-by", "mesh", false))
              .addAllRoutes(List.of(api, regex, rest)))
          .build();
      controlPlane.set(Resources.snapshot("1", List.of(listener(HOST + ":9080", "reviews-9080")), List.of(rc),
          List.of(cluster(V1)), List.of(endpoints(V1, backends.port("v1")))));
      XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();
      try (var xds = new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds",
              Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage",
                  "services", Map.of("reviews", HOST + ":9080"))));
          Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/api/reviews/1")
            .header("x-debug", "1").header("x-route", "caller").build()).execute()) {
          assertThat(r.code()).isEqualTo(200);
          assertThat(r.header("x-internal")).as("removed from the response").isNull();
          assertThat(r.header("x-served-by")).isEqualTo("mesh");
          assertThat(r.header("x-backend")).isEqualTo("v1");
        }
        Backends.Seen seen = backends.last("v1");
        assertThat(seen.path()).isEqualTo("/v2/api/reviews/1");
        assertThat(seen.headers()).containsEntry("host", "reviews.internal:9080")
            .containsEntry("x-route", "api").containsEntry("x-mesh", "xds")
            .containsEntry("x-trace-note", "100% sampled").doesNotContainKey("x-debug");

        assertThat(Load.call(mesh, "http://reviews/ratings/7")).isEqualTo("v1");
        assertThat(backends.last("v1").path()).as("prefix '/' rewritten").isEqualTo("/root/ratings/7");

        assertThatThrownBy(() -> Load.call(mesh, "http://reviews/old/x")).as("a regex rewrite is not performed")
            .isInstanceOf(NoHealthyInstanceException.class);
        assertThat(backends.counts().get("v1")).as("the regex-rewritten call never left the process").isEqualTo(2);
        assertThat(metrics.notImplemented()).containsExactly("route_configuration reviews-9080: virtual_hosts "
            + "reviews: routes[1]: route.regex_rewrite is not implemented: its calls fail rather than reach the wrong path");
      }
    }
  }
}
