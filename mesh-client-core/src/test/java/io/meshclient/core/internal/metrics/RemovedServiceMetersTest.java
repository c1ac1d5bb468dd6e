package io.meshclient.core.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A service a reload removes leaves no meter of the mesh's behind: services created and removed one
 * after another (canaries, per-tenant services) do not make the registry and the mesh's tables grow.
 */
@Timeout(60)
class RemovedServiceMetersTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static MeshConfig services(String... names) {
    MeshConfig.Builder config = MeshConfig.builder();
    for (String name : names) {
      config.service(ServiceConfig.builder(name).retry(RetryConfig.NONE).build());
    }
    return config.build();
  }

  private List<Meter> metersOf(String service) {
    return registry.getMeters().stream()
        .filter(m -> service.equals(m.getId().getTag(MeshMetricNames.SERVICE))).toList();
  }

  private static void call(Mesh mesh, String service) throws Exception {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://" + service + "/").build())
        .execute()) {
      response.body().string();
    }
  }

  /** Service tenant-{@code gone} leaves the discovery and the configuration; tenant-{@code next} comes, and is called. */
  private static void replace(Mesh mesh, InMemoryDiscovery discovery, Backend backend, int gone, int next)
      throws Exception {
    discovery.remove("tenant-" + gone).set("tenant-" + next, List.of(backend.instance("tenant-" + next, Map.of())));
    mesh.reconfigure(services("api", "tenant-" + next));
    call(mesh, "tenant-" + next);
  }

  @Test
  void aRemovedServicesMetersAreRemovedAndChurnDoesNotGrowTheRegistry() throws Exception {
    try (Backend backend = new Backend("b")) {
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(backend.instance("api", Map.of())))
          .set("tenant-0", List.of(backend.instance("tenant-0", Map.of())));
      try (Mesh mesh = Mesh.builder().discovery("memory", discovery).meterRegistry(registry)
          .config(services("api", "tenant-0")).build()) {
        call(mesh, "api");
        call(mesh, "tenant-0");
        assertThat(metersOf("tenant-0")).as("tenant-0's meters while it is a service").isNotEmpty();
        replace(mesh, discovery, backend, 0, 1);
        int afterOne = registry.getMeters().size();
        assertThat(mesh.services()).containsExactlyInAnyOrder("api", "tenant-1");
        assertThat(metersOf("tenant-0")).as("tenant-0's meters once removed").isEmpty();
        assertThat(metersOf("api")).as("api's meters stay").isNotEmpty();

        for (int i = 2; i < 50; i++) {
          replace(mesh, discovery, backend, i - 1, i);
        }
        assertThat(registry.getMeters()).as("meters after 48 more services came and went").hasSize(afterOne);
      }
    }
  }
}
