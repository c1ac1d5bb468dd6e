package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service called by its Kubernetes DNS names, as Istio's sidecar lets it be, is called on the instances its
 * discovery lists now, as when it is called by its own name.
 */
@Timeout(30)
class IstioClusterNameInstancesTest {
  @TempDir
  Path dir;

  /**
   * Before, the cluster names kept the service as it was at the last reload: once the discovery listed other
   * instances (a pod replaced), calls to reviews took them and calls to reviews.default.svc.cluster.local still went
   * to the instances gone, until the next reload.
   */
  @Test
  void aClusterNameCallsTheInstancesTheDiscoveryListsNow() throws Exception {
    Path istio = dir.resolve("istio.yaml");
    Files.writeString(istio, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
        """);
    try (Backend before = new Backend("reviews before"); Backend after = new Backend("reviews after")) {
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("reviews", List.of(before.instance("reviews", Map.of())));
      try (Mesh mesh = Mesh.builder().istioConfig(istio).discovery("memory", discovery).build()) {
        assertThat(call(mesh, "reviews.default.svc.cluster.local")).isEqualTo("reviews before");

        discovery.set("reviews", List.of(after.instance("reviews", Map.of())));

        assertThat(call(mesh, "reviews")).isEqualTo("reviews after");
        for (String name : List.of("reviews.default", "reviews.default.svc", "reviews.default.svc.cluster.local")) {
          assertThat(call(mesh, name)).as(name).isEqualTo("reviews after");
        }
        assertThat(before.requests()).isEqualTo(1);
      }
    }
  }

  private static String call(Mesh mesh, String host) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://" + host + "/").build())
        .execute()) {
      return response.body().string();
    }
  }
}
