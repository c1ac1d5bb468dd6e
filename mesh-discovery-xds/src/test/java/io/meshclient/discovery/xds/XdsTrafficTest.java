package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Weighted splits from a real xDS server (java-control-plane) on loopback, counted at the backends. */
class XdsTrafficTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");
  static final String V2 = istio(9080, "v2", "reviews.default.svc.cluster.local");

  ControlPlane controlPlane;
  Backends backends;
  XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backends = new Backends("v1", "v2");
  }

  @AfterEach
  void stop() throws Exception {
    backends.close();
    controlPlane.close();
  }

  Snapshot reviews(String version, int v1, int v2) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put(V1, v1);
    weights.put(V2, v2);
    return Resources.snapshot(version, List.of(listener("reviews:9080", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews", "reviews:9080", "reviews.default.svc.cluster.local"),
            split(weights))),
        List.of(cluster(V1), cluster(V2)),
        List.of(endpoints(V1, backends.port("v1")), endpoints(V2, backends.port("v2"))));
  }

  DiscoveryContext settings(Map<String, Object> extra) {
    Map<String, Object> xds = new LinkedHashMap<>(Map.of("server-uri", controlPlane.target(), "node-id", "test~reviews",
        "services", Map.of("reviews", 9080), "initial-wait", "10s"));
    xds.putAll(extra);
    return new DiscoveryContext("mesh.discovery.xds", xds);
  }

  /** A mesh whose xds discovery is found by name, as an application's is. */
  Mesh mesh(Map<String, Object> extra) {
    return Mesh.builder().config(MeshConfig.builder().discovery("xds", settings(extra).settings()).build()).build();
  }

  @Test
  void aSnapshotsEightyTwentySplitLandsWithinTwoPointsOverTenThousandCalls() throws Exception {
    controlPlane.set(reviews("1", 80, 20));
    try (Mesh mesh = mesh(Map.of())) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<String>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
          calls.add(pool.submit(() -> Load.call(mesh, "http://reviews/")));
        }
        for (Future<String> call : calls) {
          call.get(30, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    Map<String, Integer> counts = backends.counts();
    System.out.println("80/20 over 10,000 calls, counted at the servers: " + counts);
    assertThat(counts.get("v1") + counts.get("v2")).isEqualTo(10_000);
    assertThat(counts.get("v2") / 100.0).as("v2's share in percent, counted at the servers").isBetween(18.0, 22.0);
  }

  @Test
  void theApplicationsReloadsAndXdsUpdatesKeepEachOthersConfiguration() throws Exception {
    controlPlane.set(reviews("1", 100, 0));
    try (ServiceDiscovery xds = new XdsDiscoveryProvider(metrics).create(settings(Map.of()));
        Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("v1");
      // the application reloads its own configuration: xDS's routes for reviews stay in force
      mesh.reconfigure(MeshConfig.builder().unknownHosts(io.meshclient.core.config.UnknownHosts.REFUSE).build());
      assertThat(mesh.config().service("reviews").routes()).as("xDS's routes after the application's reload")
          .isNotEmpty();
      for (int i = 0; i < 50; i++) {
        assertThat(Load.call(mesh, "http://reviews/")).as("100/0 after the application's reload").isEqualTo("v1");
      }
      // then xDS sends a new version: the application's change stays in force
      controlPlane.set(reviews("2", 0, 100));
      Load.await(() -> {
        try {
          return "v2".equals(Load.call(mesh, "http://reviews/"));
        } catch (java.io.IOException e) {
          return false;
        }
      }, Duration.ofSeconds(5), "a call to v2");
      assertThat(mesh.config().unknownHosts()).as("the application's setting after xDS's update")
          .isEqualTo(io.meshclient.core.config.UnknownHosts.REFUSE);
    }
  }

  @Test
  void liveWeightShiftsServeWithinOneSecondWithNoFailedCall() throws Exception {
    controlPlane.set(reviews("1", 100, 0));
    try (ServiceDiscovery xds = new XdsDiscoveryProvider(metrics).create(settings(Map.of()));
        Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      try (Load load = new Load(mesh, "reviews", 8)) {
        Load.await(() -> load.answers("v1") > 200, Duration.ofSeconds(10), "calls to v1");
        assertThat(load.answers("v2")).isZero();

        long set = System.nanoTime();
        controlPlane.set(reviews("2", 50, 50));
        Load.await(() -> load.answers("v2") > 0, Duration.ofSeconds(5), "a call to v2");
        System.out.println("50/50: first call to v2 " + (load.firstAnswer("v2") - set) / 1_000_000 + " ms after the snapshot");
        assertThat(Duration.ofNanos(load.firstAnswer("v2") - set)).isLessThan(Duration.ofSeconds(1));
        long v1Before = load.answers("v1");
        long v2Before = load.answers("v2");
        // 400 calls at least: the share's standard deviation is 0.025 at most; the tolerance 0.15, over 6 of them
        Load.await(() -> load.answers("v1") - v1Before + load.answers("v2") - v2Before >= 400, Duration.ofSeconds(10),
            "400 calls at 50/50");
        double v2Share = (load.answers("v2") - v2Before)
            / (double) (load.answers("v2") - v2Before + load.answers("v1") - v1Before);
        assertThat(v2Share).as("v2's share at 50/50").isBetween(0.35, 0.65);

        set = System.nanoTime();
        controlPlane.set(reviews("3", 0, 100));
        Thread.sleep(1500);
        System.out.println("0/100: last call to v1 " + (load.lastAnswer("v1") - set) / 1_000_000 + " ms after the snapshot; "
            + "calls v1 " + load.answers("v1") + ", v2 " + load.answers("v2") + ", failed " + load.failures().size());
        assertThat(Duration.ofNanos(load.lastAnswer("v1") - set)).isLessThan(Duration.ofSeconds(1));
        long v1After = load.answers("v1");
        Thread.sleep(300);
        assertThat(load.answers("v1")).as("calls to v1 after 0/100 took effect").isEqualTo(v1After);
        assertThat(load.failures()).isEmpty();
      }
    }
    assertThat(metrics.acks("rds")).isGreaterThanOrEqualTo(3);
    assertThat(metrics.versions()).containsEntry("rds", "3");
  }

}
