package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.MeshException;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: Consul's catalog is not authoritative at start-up (a service may register later), so a
 * configured service it has never seen starts the mesh with a warning naming the key, not a failure.
 */
class UnlistedServiceTest {
  private final ConsulEmulator consul = new ConsulEmulator();

  @AfterEach
  void stopConsul() {
    consul.close();
  }

  @Test
  void aServiceTheCatalogHasNeverSeenStartsWithAWarningNamingItsKeyAndNoInstance() throws Exception {
    try (Backends backends = new Backends("v1"); LogCapture log = LogCapture.everything()) {
      consul.register(backends.registration("reviews", "v1"));
      MeshConfig config = MeshConfig.fromMap(Map.of("mesh", Map.of(
          "discovery", Map.of("consul", Map.of("url", consul.url(), "wait", "2s", "min-interval", "10ms")),
          "services", Map.of("reviews", Map.of("discovery", "consul"), "reviewz", Map.of("discovery", "consul")))));
      try (Mesh mesh = Mesh.builder().config(config).build()) {
        assertThat(mesh.instances("reviews")).hasSize(1);
        assertThat(mesh.instances("reviewz")).isEmpty();
        assertThat(log.lines()).filteredOn(l -> l.contains("WARNING"))
            .anySatisfy(l -> assertThat(l).contains("mesh.services.reviewz: discovery 'consul' lists no instance of "
                + "'reviewz' yet; calls to it fail and health shows it DOWN until it does"))
            .noneSatisfy(l -> assertThat(l).contains("mesh.services.reviews:"));
        assertThatThrownBy(() -> Traffic.call(mesh, "http://reviewz/api")).isInstanceOf(MeshException.class);
        // Registered later, it is served without a restart.
        try (Backends later = new Backends("z1")) {
          consul.register(later.registration("reviewz", "z1"));
          RecordingListener.await(() -> mesh.instances("reviewz").size() == 1, Duration.ofSeconds(5), "reviewz");
          assertThat(Traffic.call(mesh, "http://reviewz/api")).isEqualTo("z1");
        }
      }
    }
  }

  /**
   * A newcomer's first run without a Consul agent: every call fails, and its message said only that the
   * discovery lists no instance, which sends them to the registration rather than to the agent address. It ends
   * with the query's failure now.
   */
  @Test
  void aCallBeforeConsulEverAnsweredSaysWhyItHasNot() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    MeshConfig config = MeshConfig.fromMap(Map.of("mesh", Map.of(
        "discovery", Map.of("consul", Map.of("url", "http://127.0.0.1:" + closedPort)),
        "services", Map.of("reviews", Map.of("discovery", "consul")))));
    try (LogCapture log = LogCapture.everything(); Mesh mesh = Mesh.builder().config(config).build()) {
      assertThatThrownBy(() -> Traffic.call(mesh, "http://reviews/api"))
          .isInstanceOf(NoHealthyInstanceException.class)
          .hasMessageStartingWith("no healthy instance of service 'reviews': Consul has not answered for it yet (")
          .hasMessageContaining("127.0.0.1:" + closedPort)
          .hasMessageContaining("Connection refused");
    }
  }
}
