package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Query parameter, inverted header and case-insensitive path matches a control plane sends pick the route
 * Envoy would pick: calls counted at the backends.
 */
class XdsRouteMatchTest {
  static final String HOST = "reviews.default.svc.cluster.local";
  static final String V1 = istio(9080, "v1", HOST);
  static final String V2 = istio(9080, "v2", HOST);
  static final String V3 = istio(9080, "v3", HOST);

  static String call(Mesh mesh, String path, String endUser) throws IOException {
    Request.Builder request = new Request.Builder().url("http://reviews" + path);
    if (endUser != null) {
      request.header("end-user", endUser);
    }
    try (Response r = mesh.httpClient().newCall(request.build()).execute()) {
      assertThat(r.code()).as(path + " as " + endUser).isEqualTo(200);
      return r.body().string();
    }
  }

  @Test
  void queryParameterAndInvertedHeaderRoutesAreTakenAsEnvoyWouldTakeThem() throws Exception {
    try (ControlPlane controlPlane = new ControlPlane(); Backends backends = new Backends("v1", "v2", "v3")) {
      // beta=on (any case) under /api/ (any case) -> v2; an end-user other than jason -> v3; the rest -> v1
      RouteMatch beta = RouteMatch.newBuilder().setPrefix("/api/").setCaseSensitive(BoolValue.of(false))
          .addQueryParameters(QueryParameterMatcher.newBuilder().setName("beta")
              .setStringMatch(StringMatcher.newBuilder().setExact("on").setIgnoreCase(true))).build();
      RouteMatch notJason = RouteMatch.newBuilder().setPrefix("/")
          .addHeaders(HeaderMatcher.newBuilder().setName("end-user").setInvertMatch(true)
              .setStringMatch(StringMatcher.newBuilder().setExact("jason"))).build();
      RouteConfiguration rc = RouteConfiguration.newBuilder().setName("reviews-9080")
          .addVirtualHosts(VirtualHost.newBuilder().setName("reviews").addAllDomains(List.of(HOST + ":9080", "reviews"))
              .addRoutes(Resources.to(beta, V2)).addRoutes(Resources.to(notJason, V3))
              .addRoutes(Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1)))
          .build();
      controlPlane.set(Resources.snapshot("1", List.of(listener(HOST + ":9080", "reviews-9080")), List.of(rc),
          List.of(cluster(V1), cluster(V2), cluster(V3)), List.of(endpoints(V1, backends.port("v1")),
              endpoints(V2, backends.port("v2")), endpoints(V3, backends.port("v3")))));
      XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();
      try (var xds = new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds",
              Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage",
                  "services", Map.of("reviews", HOST + ":9080"))));
          Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
        for (int i = 0; i < 10; i++) {
          assertThat(call(mesh, "/api/reviews/1?beta=on", null)).isEqualTo("v2");
          assertThat(call(mesh, "/API/Reviews/1?x=1&beta=ON", "jason")).isEqualTo("v2");
          assertThat(call(mesh, "/api/reviews/1?beta=off", null)).as("no end-user header: the inverted match needs one")
              .isEqualTo("v1");
          assertThat(call(mesh, "/api/reviews/1?beta=off", "jason")).isEqualTo("v1");
          assertThat(call(mesh, "/ratings/1?beta=on", "mary")).as("beta=on outside /api/").isEqualTo("v3");
          assertThat(call(mesh, "/api/reviews/1", "Jason")).as("header values are case-sensitive").isEqualTo("v3");
        }
        assertThat(metrics.notImplemented()).isEmpty();
      }
      assertThat(backends.counts()).as("calls counted at the servers")
          .isEqualTo(Map.of("v1", 20, "v2", 20, "v3", 20));
    }
  }
}
