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
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
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
    return xds(Map.of("services", Map.of("reviews", 9080)));
  }

  ServiceDiscovery xds(Map<String, Object> extra) {
    Map<String, Object> settings = new java.util.HashMap<>(extra);
    settings.putAll(Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage"));
    return new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds", settings));
  }

  /** The application's configuration: reviews (listener reviews:80), and {@code more}, all from xDS. */
  static MeshConfig calling(String... more) {
    MeshConfig.Builder b = MeshConfig.builder().service(ServiceConfig.builder("reviews").discovery("xds").build());
    for (String s : more) {
      b.service(ServiceConfig.builder(s).discovery("xds").build());
    }
    return b.build();
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

  /**
   * The application stops calling {@code svc}; waits until the listeners subscribed to are reviews:80 alone. A
   * response applied meanwhile can add {@code svc} back from the configuration it merged before the
   * application's reload (the xDS reload is not serialized with it): the application then removes it again.
   */
  void leave(Mesh mesh, String svc) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      mesh.reconfigure(calling());
      try {
        Load.await(() -> lastSubscription(ResourceType.LDS).equals(List.of("reviews:80")), Duration.ofSeconds(1),
            "the listeners subscribed to back to reviews:80 alone after " + svc + " left, not "
                + lastSubscription(ResourceType.LDS));
        return;
      } catch (AssertionError e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  void awaitAcks(int version) throws InterruptedException {
    Load.await(() -> List.of("lds", "rds", "cds", "eds").stream()
        .allMatch(t -> Integer.toString(version).equals(metrics.versions().get(t))), Duration.ofSeconds(5),
        "version " + version + " of every type ACKed");
  }

  /**
   * Waits until the last request of {@code type} the server received names exactly {@code names}. Awaited, not
   * read once: the client ACKs a version (which {@link #awaitAcks} sees) and may send the subscription the
   * next response changes a moment later, on the stream, while the test already reads what the server got
   * (CI failed once reading an EDS ACK with no name, sent before the route to the new cluster arrived).
   */
  void awaitSubscription(ResourceType type, String... names) throws InterruptedException {
    List<String> expected = List.of(names);
    try {
      Load.await(() -> lastSubscription(type).equals(expected), Duration.ofSeconds(5),
          "the last " + type + " request names " + expected);
    } catch (AssertionError e) {
      assertThat(lastSubscription(type)).as("the last %s request the server received", type).isEqualTo(expected);
    }
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
      awaitAcks(TURNS);

      awaitSubscription(ResourceType.RDS, "routes-" + TURNS);
      awaitSubscription(ResourceType.EDS, clusterOf(TURNS));
      assertThat(List.of("lds", "rds", "cds", "eds").stream().map(metrics::resources).toList())
          .as("one listener, route configuration, cluster and endpoints held, not one per turn")
          .containsExactly(1L, 1L, 1L, 1L);
      assertThat(xds.status().details()).containsEntry("resources.rds", "1").containsEntry("resources.eds", "1");

      serve(mesh, TURNS + 1, 1); // what was freed is asked for, and sent, again once a service needs it
      awaitSubscription(ResourceType.RDS, "routes-1");
      assertThat(metrics.resources("rds")).isEqualTo(1);
      assertThat(metrics.nacks("rds") + metrics.nacks("eds")).isZero();
    }
  }

  /**
   * Version {@code version}: reviews (listener reviews:80) as in turn 1, and service {@code svc} with resources
   * of its own, to reviews' backend.
   */
  Snapshot withService(int version, String svc) {
    String c = istio(80, "", svc + ".default.svc.cluster.local");
    return Resources.snapshot(Integer.toString(version),
        List.of(listener("reviews:80", "routes-1"), listener(svc + ":80", svc + "-routes")),
        List.of(routes("routes-1", List.of("reviews:80", "reviews"), split(Map.of(clusterOf(1), 100))),
            routes(svc + "-routes", List.of(svc + ":80", svc), split(Map.of(c, 100)))),
        List.of(cluster(clusterOf(1)), cluster(c)),
        List.of(endpoints(clusterOf(1), backends.port("reviews")), endpoints(c, backends.port("reviews"))));
  }

  @Test
  void aServiceTheApplicationNoLongerCallsIsForgottenWithItsSubscriptionsWhileTheOthersKeepServing()
      throws Exception {
    controlPlane.set(withService(1, "svc-0"));
    try (ServiceDiscovery xds = xds(Map.of());
        Mesh mesh = Mesh.builder().discovery("xds", xds).config(calling()).build()) {
      for (int turn = 1; turn <= TURNS; turn++) {
        String svc = "svc-" + turn;
        controlPlane.set(withService(turn + 1, svc));
        mesh.reconfigure(calling(svc));
        Load.await(() -> {
          try {
            return Load.call(mesh, "http://" + svc + "/").equals("reviews");
          } catch (java.io.IOException | RuntimeException e) {
            return false;
          }
        }, Duration.ofSeconds(10), svc + " described by xDS and called");
        awaitAcks(turn + 1);
        leave(mesh, svc);
        assertThat(Load.call(mesh, "http://reviews/")).as("turn %d", turn).isEqualTo("reviews");
      }
      controlPlane.set(withService(TURNS + 2, "svc-0")); // one more version applied after the last service left
      awaitAcks(TURNS + 2);

      awaitSubscription(ResourceType.LDS, "reviews:80");
      awaitSubscription(ResourceType.RDS, "routes-1");
      awaitSubscription(ResourceType.EDS, clusterOf(1));
      assertThat(mesh.services()).as("xDS adds back no service the application left").containsExactly("reviews");
      assertThat(metrics.resources("lds")).isEqualTo(1);
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("reviews");
    }
  }
}
