package io.meshclient.core;

import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Two real servers on 127.0.0.1 answering "v1" and "v2", listed as the reviews service's instances of those
 * versions, for tests that switch a mesh's routes between them; the mesh a test builds is closed after it.
 */
abstract class ReviewsBackends {
  Backend v1;
  Backend v2;
  final InMemoryDiscovery discovery = new InMemoryDiscovery();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  Mesh mesh;

  @BeforeEach
  void startBackends() throws IOException {
    v1 = new Backend("v1");
    v2 = new Backend("v2");
    discovery.set("reviews", List.of(v1.instance("reviews", Map.of("version", "v1")),
        v2.instance("reviews", Map.of("version", "v2"))));
  }

  @AfterEach
  void stopMeshAndBackends() {
    if (mesh != null) {
      mesh.close();
    }
    v1.close();
    v2.close();
  }

  /** The body of a GET of http://reviews/ through the mesh: the name of the server that answered. */
  String get() throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build())
        .execute()) {
      return response.body().string();
    }
  }

  /** Reconfigurations counted with {@code result} ("applied" or "refused"). */
  double reconfigurations(String result) {
    return meters.get(MeshMetricNames.RECONFIGURATIONS).tag(MeshMetricNames.RESULT, result).counter().count();
  }
}
