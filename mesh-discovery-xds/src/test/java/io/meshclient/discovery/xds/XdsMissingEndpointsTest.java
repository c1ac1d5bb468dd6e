package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster CDS lists whose endpoints (EDS) the server never sends: a route switching to it keeps the routes
 * in force while they are awaited, as Envoy warms a cluster; once the resource timer fires, its calls fail
 * saying which resource never came.
 */
class XdsMissingEndpointsTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");
  static final String V2 = istio(9080, "v2", "reviews.default.svc.cluster.local");

  ControlPlane controlPlane;
  Backends backends;
  XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backends = new Backends("v1");
  }

  @AfterEach
  void stop() throws Exception {
    backends.close();
    controlPlane.close();
  }

  /** Version {@code version}: every call to {@code cluster}; both clusters in CDS, only v1's endpoints in EDS. */
  Snapshot to(String version, String cluster) {
    return Resources.snapshot(version, List.of(listener("reviews:9080", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews:9080", "reviews"), split(Map.of(cluster, 100)))),
        List.of(cluster(V1), cluster(V2)), List.of(endpoints(V1, backends.port("v1"))));
  }

  @Test
  void aRouteToAClusterWhoseEndpointsNeverComeServesTheOldRoutesUntilTheTimerThenSaysWhy() throws Exception {
    controlPlane.set(to("1", V1));
    try (ServiceDiscovery xds = new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds",
            Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage",
                "services", Map.of("reviews", 9080), "resource-timeout", "2s")));
        Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("v1");

      controlPlane.set(to("2", V2));
      Load.await(() -> "2".equals(metrics.versions().get("rds")), Duration.ofSeconds(5), "version 2 ACKed");
      assertThat(Load.call(mesh, "http://reviews/")).as("v1 while v2's endpoints are awaited").isEqualTo("v1");

      Exception failure = Load.awaitFailure(mesh, "http://reviews/", "calls failing once the resource timer fired");
      assertThat(failure).isInstanceOf(NoHealthyInstanceException.class).hasMessage("no healthy instance of "
          + "service 'reviews' in subset 'v2': cluster_load_assignment " + V2 + " was not sent within the "
          + "resource timeout: taken not to exist");
    }
  }
}
