package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Zone-aware routing with the caller's zone taken from its Node (NODE_NAME), when neither {@code
 * locality.zone} nor {@code MESH_ZONE} names it.
 */
class LocalityOverKubernetesTest {

  static Mesh mesh(ServiceDiscovery discovery) {
    return Mesh.builder().discovery("kubernetes", discovery).config(MeshConfig.fromMap(Map.of("mesh", Map.of(
        "services", Map.of("reviews", Map.of("discovery", "kubernetes", "load-balancer", "round-robin",
            "locality", Map.of("mode", "failover"))))))).build();
  }

  @Test
  void callsStayInTheZoneOfTheCallersNode() throws Exception {
    try (ApiServer api = ApiServer.crud(); Backends backends = new Backends("a", "b1", "b2")) {
      api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a")
          .withLabels(Map.of("topology.kubernetes.io/zone", "zone-a")).endMetadata().build()).create();
      api.slice("reviews-a", "reviews", backends.port("a"), endpoint("127.0.0.1", null, "zone-a"));
      api.slice("reviews-b1", "reviews", backends.port("b1"), endpoint("127.0.0.1", null, "zone-b"));
      api.slice("reviews-b2", "reviews", backends.port("b2"), endpoint("127.0.0.1", null, "zone-b"));
      Map<String, String> env = Map.of("NODE_NAME", "node-a");
      try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider(KubernetesWatchListener.NONE, env::get)
              .create(api.settings().podLabels(List.of()).build());
          Mesh mesh = mesh(discovery)) {
        RecordingListener.await(() -> mesh.instances("reviews").size() == 3, Duration.ofSeconds(10), "3 instances");
        assertThat(mesh.config().service("reviews").locality().zone()).as("as configured: none").isEmpty();
        for (int i = 0; i < 300; i++) {
          try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
          }
        }
        assertThat(backends.served("a")).as("calls to zone-a, the caller's").isEqualTo(300);
        assertThat(backends.served("b1") + backends.served("b2")).isZero();
      }
    }
  }

  @Test
  void withoutAZoneFromAnywhereTheMeshDoesNotBuildAndSaysWhereAZoneComesFrom() {
    try (ApiServer api = ApiServer.crud();
        ServiceDiscovery discovery = new KubernetesDiscoveryProvider(KubernetesWatchListener.NONE, name -> null)
            .create(api.settings().podLabels(List.of()).build())) {
      api.slice("reviews-a", "reviews", 9080, endpoint("127.0.0.1", null, "zone-a"));
      assertThatThrownBy(() -> mesh(discovery).close()).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("mesh.services.reviews.locality.zone: missing (expected: the caller's zone, the "
              + "MESH_ZONE environment variable, or a discovery that knows it (kubernetes, with NODE_NAME naming a "
              + "Node labelled topology.kubernetes.io/zone))");
    }
  }
}
