package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
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
 * Resources no service needs any more are unsubscribed and freed, as Envoy and gRPC do, so a control plane
 * that adds and removes services all day does not make the client hold every resource it ever sent.
 */
class XdsUnusedResourcesTest {
  static final int TURNS = 50;

  ControlPlane controlPlane;
  Backends backends;
  XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backends = new Backends("reviews");
  }

  @AfterEach
  void stop() throws Exception {
    backends.close();
    controlPlane.close();
  }

  ServiceDiscovery xds() {
    return new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds", Map.of(
        "server-uri", controlPlane.target(), "node-id", "test~productpage", "services", Map.of("reviews", 9080))));
  }

  static String clusterOf(int turn) {
    return istio(9080, "v" + turn, "reviews.default.svc.cluster.local");
  }

  /** Version {@code turn}: reviews' listener names route configuration {@code turn}, to cluster {@code turn} only. */
  Snapshot turn(int version, int turn) {
    return Resources.snapshot(Integer.toString(version), List.of(listener("reviews:9080", "routes-" + turn)),
        List.of(routes("routes-" + turn, List.of("reviews:9080", "reviews"), split(Map.of(clusterOf(turn), 100)))),
        List.of(cluster(clusterOf(turn))), List.of(endpoints(clusterOf(turn), backends.port("reviews"))));
  }

  /** Sets version {@code version} and waits until reviews routes to cluster {@code turn}'s instances. */
  void serve(Mesh mesh, int version, int turn) throws Exception {
    controlPlane.set(turn(version, turn));
    Load.await(() -> mesh.config().services().get("reviews").subsets().containsKey("v" + turn)
        && mesh.instances("reviews").stream().anyMatch(i -> clusterOf(turn).equals(i.metadata().get(ServiceMapping.CLUSTER_KEY))),
        Duration.ofSeconds(10), "reviews routed to cluster " + clusterOf(turn));
    assertThat(Load.call(mesh, "http://reviews/")).as("turn %d", turn).isEqualTo("reviews");
  }

  /** The resource names of the last request of {@code type} the server received. */
  List<String> lastSubscription(ResourceType type) {
    List<DiscoveryRequest> of = controlPlane.requests().stream()
        .filter(r -> r.getTypeUrl().equals(type.typeUrl())).toList();
    return of.get(of.size() - 1).getResourceNamesList();
  }

  @Test
  void routesAndEndpointsNoServiceNeedsAreUnsubscribedAndFreedWhileThoseInUseKeepServing() throws Exception {
    controlPlane.set(turn(1, 1));
    try (ServiceDiscovery xds = xds(); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      for (int turn = 1; turn <= TURNS; turn++) {
        serve(mesh, turn, turn);
      }
      Load.await(() -> Integer.toString(TURNS).equals(metrics.versions().get("eds")), Duration.ofSeconds(5),
          "EDS version " + TURNS + " ACKed");

      assertThat(lastSubscription(ResourceType.RDS)).containsExactly("routes-" + TURNS);
      assertThat(lastSubscription(ResourceType.EDS)).containsExactly(clusterOf(TURNS));
      assertThat(List.of("lds", "rds", "cds", "eds").stream().map(metrics::resources).toList())
          .as("one listener, route configuration, cluster and endpoints held, not one per turn")
          .containsExactly(1L, 1L, 1L, 1L);
      assertThat(xds.status().details()).containsEntry("resources.rds", "1").containsEntry("resources.eds", "1");

      serve(mesh, TURNS + 1, 1); // what was freed is asked for, and sent, again once a service needs it
      assertThat(lastSubscription(ResourceType.RDS)).containsExactly("routes-1");
      assertThat(metrics.resources("rds")).isEqualTo(1);
      assertThat(metrics.nacks("rds") + metrics.nacks("eds")).isZero();
    }
  }
}
