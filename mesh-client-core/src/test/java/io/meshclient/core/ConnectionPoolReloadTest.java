package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code mesh.defaults.connection-pool} sizes the mesh's OkHttp pool and dispatcher once: a reload that changed it
 * was accepted, shown by {@link Mesh#config()}, and did nothing. It is now refused naming each key, and the rest of a
 * reload that leaves it alone still applies.
 */
class ConnectionPoolReloadTest {
  private static MeshConfig config(String pool, String timeout) {
    return MeshConfig.fromYaml("""
        mesh:
          defaults:
            timeout: TIMEOUT
            connection-pool: POOL
          services:
            reviews: {}
        """.replace("POOL", pool).replace("TIMEOUT", timeout), name -> null);
  }

  @Test
  void aReloadThatChangesTheConnectionPoolIsRefusedNamingEachKeyAndTheRestStillReloads() {
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("reviews", List.of(ServiceInstance.builder("reviews", "127.0.0.1", 9).build()));
    MeshConfig built = config("{ max-idle-per-host: 4, max-requests-per-host: 8, keep-alive: 30s }", "2s");
    try (Mesh mesh = Mesh.builder().config(built).discovery("memory", discovery).build()) {
      assertThat(mesh.httpClient().dispatcher().getMaxRequestsPerHost()).isEqualTo(8);
      MeshConfig changed = config("{ max-idle-per-host: 16, max-requests-per-host: 64, keep-alive: 5m }", "2s");
      assertThatThrownBy(() -> mesh.reconfigure(changed))
          .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
              "mesh.defaults.connection-pool.max-idle-per-host: 16 (expected: 4, as the mesh was built: its "
                  + "connection pool and dispatcher are made once; build a new mesh to change them)",
              "mesh.defaults.connection-pool.max-requests-per-host: 64 (expected: 8, as the mesh was built: its "
                  + "connection pool and dispatcher are made once; build a new mesh to change them)",
              "mesh.defaults.connection-pool.keep-alive: 5m (expected: 30s, as the mesh was built: its "
                  + "connection pool and dispatcher are made once; build a new mesh to change them)"));
      assertThat(mesh.config()).isSameAs(built);
      assertThat(mesh.httpClient().dispatcher().getMaxRequestsPerHost()).isEqualTo(8);

      MeshConfig slower = config("{ max-idle-per-host: 4, max-requests-per-host: 8, keep-alive: 30s }", "5s");
      mesh.reconfigure(slower);
      assertThat(mesh.config().defaults().timeout()).isEqualTo(Duration.ofSeconds(5));
    }
  }

  /**
   * A reload that changes the pool and also routes to a service nobody knows was refused for the pool alone: the
   * user put the pool back, reloaded, and only then learned of the route. Both are reported at once, what is wrong
   * in the configuration itself first; nothing is applied, and the mesh keeps serving with what it had.
   */
  @Test
  void aReloadThatChangesThePoolAndHasAnotherErrorReportsBothAndKeepsServing() throws Exception {
    try (LoopbackServer reviews = new LoopbackServer("v1")) {
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(reviews.instance("reviews", java.util.Map.of())));
      MeshConfig built = config("{ max-idle-per-host: 4, max-requests-per-host: 8, keep-alive: 30s }", "2s");
      try (Mesh mesh = Mesh.builder().config(built).discovery("memory", discovery).build()) {
        MeshConfig both = MeshConfig.fromYaml("""
            mesh:
              defaults:
                connection-pool: { max-idle-per-host: 16, max-requests-per-host: 8, keep-alive: 30s }
              services:
                reviews:
                  routes: [ { to: { service: ratinsg } } ]
            """, name -> null);
        assertThatThrownBy(() -> mesh.reconfigure(both))
            .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                "mesh.services.reviews.routes[0].to.service: ratinsg (expected: a mesh service (configured under "
                    + "mesh.services or listed by a discovery))",
                "mesh.defaults.connection-pool.max-idle-per-host: 16 (expected: 4, as the mesh was built: its "
                    + "connection pool and dispatcher are made once; build a new mesh to change them)"));
        assertThat(mesh.config()).isSameAs(built);
        try (okhttp3.Response response = mesh.httpClient().newCall(
            new okhttp3.Request.Builder().url("http://reviews/").build()).execute()) {
          assertThat(response.body().string()).isEqualTo("v1");
        }
      }
    }
  }
}
