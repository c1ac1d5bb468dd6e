package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The meters of an xDS discovery the mesh creates from {@code mesh.discovery.xds}, in the mesh's registry. */
class XdsMeshMetersTest {
  static final String V1 = istio(80, "v1", "reviews.default.svc.cluster.local");

  ControlPlane controlPlane;
  ScriptedBackend backend;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backend = new ScriptedBackend("reviews");
    controlPlane.set(Resources.snapshot("1", List.of(listener("reviews:80", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews:80", "reviews"), split(Map.of(V1, 100)))),
        List.of(cluster(V1)), List.of(endpoints(V1, backend.port()))));
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    controlPlane.close();
  }

  private MeshConfig config(String initialWait) {
    return MeshConfig.builder().discovery("xds", Map.of("server-uri", controlPlane.target(),
        "node-id", "test~productpage", "initial-wait", initialWait, "services", Map.of("reviews", "reviews:80")))
        .build();
  }

  private double connected() {
    return registry.get(XdsDiscoveryMetrics.CONNECTED).gauge().value();
  }

  @Test
  void recordsIntoTheMeshsRegistryAcrossAReloadThatReplacesTheDiscoveryAndGoesWithTheMesh() throws Exception {
    try (Mesh mesh = Mesh.builder().config(config("10s")).meterRegistry(registry).build()) {
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("reviews");
      Load.await(() -> connected() == 1.0, Duration.ofSeconds(10), "connected");
      assertThat(registry.get(XdsDiscoveryMetrics.RESPONSES).tags("type", "eds", "result", "ack").functionCounter()
          .count()).isPositive();

      // A new discovery, created before the one it replaces closes (reload returns once that is closed): the
      // gauge must read the new one, not the closed one's stream, ended.
      mesh.reload(() -> config("9s"));
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("reviews");
      assertThat(registry.find(XdsDiscoveryMetrics.CONNECTED).gauges()).hasSize(1);
      Load.await(() -> connected() == 1.0, Duration.ofSeconds(10), "the gauge reading the new discovery's stream");
    }
    assertThat(registry.find(XdsDiscoveryMetrics.CONNECTED).meters()).isEmpty();
    assertThat(registry.find(XdsDiscoveryMetrics.RESPONSES).meters()).isEmpty();
  }
}
