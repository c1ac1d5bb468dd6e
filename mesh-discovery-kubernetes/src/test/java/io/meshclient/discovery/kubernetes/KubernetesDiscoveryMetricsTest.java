package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static io.meshclient.discovery.kubernetes.KubernetesDiscoveryMetrics.INSTANCES;
import static io.meshclient.discovery.kubernetes.KubernetesDiscoveryMetrics.LAST_UPDATE_AGE;
import static io.meshclient.discovery.kubernetes.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The meters of a discovery the mesh creates from {@code mesh.discovery.kubernetes}, in the mesh's registry. */
class KubernetesDiscoveryMetricsTest {
  private final ApiServer api = ApiServer.crud();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void stop() {
    api.close();
  }

  private MeshConfig config(String firstSyncWait) {
    Map<String, Object> settings = new HashMap<>(api.settingsMap());
    settings.put("first-sync-wait", firstSyncWait);
    return MeshConfig.fromMap(Map.of("mesh", Map.of("discovery", Map.of("kubernetes", settings),
        "services", Map.of("reviews", Map.of("discovery", "kubernetes")))));
  }

  private void pod(String name, int port) {
    api.pod("reviews-" + name, Map.of("version", "v1"));
    api.slice("reviews-" + name, "reviews", port, endpoint("127.0.0.1", "reviews-" + name, "zone-a", true, null));
  }

  @Test
  void recordsIntoTheMeshsRegistryAcrossAReloadThatReplacesTheDiscoveryAndRemovesItsGaugesWithTheMesh() {
    pod("a", 9081);
    try (Mesh mesh = Mesh.builder().config(config("20s")).meterRegistry(registry).build()) {
      await(() -> mesh.instances("reviews").size() == 1, Duration.ofSeconds(10), "one instance");
      await(() -> registry.get(INSTANCES).tag("service", "reviews").gauge().value() == 1.0, Duration.ofSeconds(10),
          "the instance gauge");
      assertThat(registry.get(LAST_UPDATE_AGE).tag("service", "reviews").timeGauge().value(TimeUnit.SECONDS))
          .isBetween(0.0, 10.0);

      mesh.reload(() -> config("19s")); // a new discovery, created before the one it replaces closes
      pod("b", 9082);
      await(() -> mesh.instances("reviews").size() == 2, Duration.ofSeconds(10), "two instances");
      await(() -> registry.find(INSTANCES).tag("service", "reviews").gauges().stream()
          .anyMatch(g -> g.value() == 2.0), Duration.ofSeconds(10), "the gauge reading the new discovery");
      assertThat(registry.find(INSTANCES).gauges()).hasSize(1);
    }
    assertThat(registry.find(INSTANCES).meters()).isEmpty();
    assertThat(registry.find(LAST_UPDATE_AGE).meters()).isEmpty();
  }
}
