package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.CallListener;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshListener;
import io.meshclient.core.MeshSnapshot;
import io.meshclient.core.RoutingDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One xDS response that moves a service to new endpoints with new settings (its cluster's EDS resource and its
 * lb_policy), from a real control plane (java-control-plane) to real backends on loopback. The xDS thread is held
 * at each point where the mesh could run one change without the other (each delivery of the instances to the
 * discovery's watches, each configuration the mesh applied), and calls made there, on the test thread, must find
 * the old endpoints with the old balancer or the new endpoints with the new one.
 */
@Timeout(60)
class XdsSettingsWithInstancesTest {
  static final String CLUSTER = "reviews";
  static final String OLD_BALANCER = "weighted-round-robin"; // ROUND_ROBIN
  static final String NEW_BALANCER = "least-request"; // LEAST_REQUEST

  ControlPlane controlPlane;
  Backends backends;
  final Hold hold = new Hold();

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backends = new Backends("old", "new");
  }

  @AfterEach
  void stop() throws Exception {
    hold.armed = false;
    hold.resume.release(100);
    backends.close();
    controlPlane.close();
  }

  /** reviews routed to cluster reviews, whose endpoints are the EDS resource {@code eds}; both resources served. */
  Snapshot reviews(String version, Cluster.LbPolicy policy, String eds) {
    Cluster cluster = Resources.cluster(CLUSTER).toBuilder().setLbPolicy(policy)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Resources.ADS).setServiceName(eds))
        .build();
    return Resources.snapshot(version, List.of(listener("reviews:9080", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews"),
            Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), CLUSTER))),
        List.of(cluster),
        List.of(endpoints("reviews-old", backends.port("old")), endpoints("reviews-new", backends.port("new"))));
  }

  @Test
  void callsNeverFindTheNewEndpointsWithTheOldSettingsNorTheOldEndpointsWithTheNew() throws Exception {
    controlPlane.set(reviews("1", Cluster.LbPolicy.ROUND_ROBIN, "reviews-old"));
    AtomicReference<RoutingDecision> decision = new AtomicReference<>();
    MeshListener reloads = new MeshListener() {
      @Override
      public void onReconfigure(boolean applied) {
        if (applied) {
          hold.at("settings applied");
        }
      }
    };
    CallListener.Factory decisions = (service, request) -> new CallListener() {
      @Override
      public void onAttempt(RoutingDecision d) {
        decision.set(d);
      }
    };
    DiscoveryContext settings = new DiscoveryContext("mesh.discovery.xds", Map.of("server-uri", controlPlane.target(),
        "node-id", "test~reviews", "services", Map.of("reviews", 9080), "initial-wait", "10s"));
    try (ServiceDiscovery xds = new XdsDiscoveryProvider(new XdsDiscoveryMetrics()).create(settings);
        Mesh mesh = Mesh.builder().discovery("xds", xds).listener(reloads).callListenerFactory(decisions).build()) {
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("old");
      assertThat(decision.get().balancer()).isEqualTo(OLD_BALANCER);
      // a watch of the same discovery, after the mesh's: it is delivered each snapshot once the mesh's watch was
      BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
      xds.watch("reviews", snapshot -> {
        hold.at("instances delivered " + backendsOf(snapshot));
        delivered.offer(backendsOf(snapshot).toString()); // after: the first delivery is over before the hold is armed
      });
      assertThat(delivered.poll(10, TimeUnit.SECONDS)).isEqualTo("[old]");

      hold.armed = true;
      controlPlane.set(reviews("2", Cluster.LbPolicy.LEAST_REQUEST, "reviews-new"));
      List<String> points = new ArrayList<>();
      List<String> mixed = new ArrayList<>();
      String point;
      do {
        point = hold.reached.poll(10, TimeUnit.SECONDS);
        assertThat(point).as("the xDS thread held at a point after %s", points).isNotNull();
        points.add(point);
        try {
          look(mesh, point, decision, mixed);
        } finally {
          hold.resume.release();
        }
      } while (!point.equals("instances delivered [new]"));
      hold.armed = false;

      System.out.println("held at " + points);
      assertThat(mixed).as("what calls and the mesh's snapshot found at %s", points).isEmpty();
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("new");
      assertThat(decision.get().balancer()).isEqualTo(NEW_BALANCER);
    }
  }

  /**
   * While the xDS thread is held at {@code point}: the service's snapshot and six calls through the mesh, each
   * endpoint found with the balancer of its own version, else a line in {@code mixed}.
   */
  void look(Mesh mesh, String point, AtomicReference<RoutingDecision> decision, List<String> mixed) {
    MeshSnapshot.ServiceState state = mesh.snapshot().services().get("reviews");
    for (MeshSnapshot.InstanceState i : state.instances()) {
      String backend = backendOf(i.instance().port());
      if (!balancerOf(backend).equals(state.loadBalancer())) {
        mixed.add(point + ": the mesh runs " + backend + " with " + state.loadBalancer());
      }
    }
    for (int i = 0; i < 6; i++) {
      try {
        String backend = Load.call(mesh, "http://reviews/");
        if (!balancerOf(backend).equals(decision.get().balancer())) {
          mixed.add(point + ": a call went to " + backend + " with " + decision.get().balancer());
        }
      } catch (java.io.IOException | RuntimeException e) {
        mixed.add(point + ": a call failed: " + e);
      }
    }
  }

  static String balancerOf(String backend) {
    return backend.equals("old") ? OLD_BALANCER : NEW_BALANCER;
  }

  String backendOf(int port) {
    return port == backends.port("old") ? "old" : port == backends.port("new") ? "new" : "port " + port;
  }

  List<String> backendsOf(List<ServiceInstance> snapshot) {
    return snapshot.stream().map(i -> backendOf(i.port())).sorted().toList();
  }

  /** Holds the xDS thread at each point it reaches while armed, until the test thread has looked (10 s at most). */
  static final class Hold {
    volatile boolean armed;
    final BlockingQueue<String> reached = new LinkedBlockingQueue<>();
    final Semaphore resume = new Semaphore(0);

    void at(String point) {
      if (!armed || !Thread.currentThread().getName().equals("mesh-xds")) {
        return;
      }
      reached.add(point);
      try {
        resume.tryAcquire(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
