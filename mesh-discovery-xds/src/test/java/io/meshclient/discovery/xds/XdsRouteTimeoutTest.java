package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.ServiceDefaults;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's {@code timeout} as Envoy's router applies it: 15 s for the whole call when the route sets none,
 * none at all for {@code 0s}; against a backend that answers after 1.2 s.
 */
class XdsRouteTimeoutTest {
  static final String CLUSTER = istio(80, "", "slow.default.svc.cluster.local");
  static final Duration SHORT = Duration.ofMillis(500);

  ControlPlane controlPlane;
  ScriptedBackend backend;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backend = new ScriptedBackend("slow").after(1_200);
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    controlPlane.close();
  }

  /** slow's routes: every path to its cluster, with {@code action}'s timeout. */
  Snapshot slow(RouteAction.Builder action) {
    Route route = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(action.setCluster(CLUSTER)).build();
    return Resources.snapshot("1", List.of(listener("slow:80", "slow-routes")),
        List.of(routes("slow-routes", List.of("slow:80", "slow"), route)),
        List.of(cluster(CLUSTER)), List.of(endpoints(CLUSTER, backend.port())));
  }

  ServiceDiscovery xds() {
    return new XdsDiscoveryProvider(new XdsDiscoveryMetrics()).create(new DiscoveryContext("mesh.discovery.xds",
        Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage", "services", Map.of("slow", 80))));
  }

  /** One call to slow; how long it took. */
  static Duration timedCall(Mesh mesh) throws Exception {
    long start = System.nanoTime();
    assertThat(Load.call(mesh, "http://slow/")).isEqualTo("slow");
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Test
  void aRouteWithoutTimeoutHasEnvoysFifteenSecondsForTheWholeCallNotTheMeshsReadTimeout() throws Exception {
    controlPlane.set(slow(RouteAction.newBuilder()));
    MeshConfig application = MeshConfig.builder().defaults(ServiceDefaults.DEFAULT.withTimeout(SHORT)).build();
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).config(application).build()) {
      RouteConfig route = mesh.config().service("slow").routes().get(0);
      assertThat(route.timeout()).isEqualTo(Duration.ofSeconds(15));
      assertThat(route.retry().deadline()).isEqualTo(Duration.ofSeconds(15));
      assertThat(timedCall(mesh)).isGreaterThanOrEqualTo(Duration.ofMillis(1_200));
    }
  }

  @Test
  void aRouteTimeoutOfZeroMeansNoDeadlineEvenWhereTheApplicationSetsOne() throws Exception {
    controlPlane.set(slow(RouteAction.newBuilder().setTimeout(com.google.protobuf.Duration.getDefaultInstance())));
    MeshConfig application = MeshConfig.builder().defaults(ServiceDefaults.DEFAULT.withTimeout(SHORT))
        .service(ServiceConfig.builder("slow").discovery("xds").timeout(SHORT).build()).build();
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).config(application).build()) {
      assertThat(timedCall(mesh)).isGreaterThanOrEqualTo(Duration.ofMillis(1_200));
    }
  }

  @Test
  void withoutARouteTimeoutTheApplicationsTimeoutForTheServiceStands() throws Exception {
    controlPlane.set(slow(RouteAction.newBuilder()));
    MeshConfig application = MeshConfig.builder()
        .service(ServiceConfig.builder("slow").discovery("xds").timeout(SHORT).build()).build();
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).config(application).build()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> Load.call(mesh, "http://slow/")).isInstanceOf(InterruptedIOException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1_200));
    }
  }
}
