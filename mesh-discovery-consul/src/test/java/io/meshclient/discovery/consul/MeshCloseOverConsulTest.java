package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.RecordingListener.await;
import static io.meshclient.discovery.consul.Traffic.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code mesh.close()} with a Consul discovery the mesh created from its configuration: prompt while the agent
 * holds a 30 s blocking query, and no thread of the discovery or connection to the agent left. ({@link
 * ShutdownTest} closes the discovery itself, not through a mesh.)
 */
@Timeout(60)
class MeshCloseOverConsulTest {
  private final ConsulEmulator consul = new ConsulEmulator();

  @AfterEach
  void stopConsul() {
    consul.close();
  }

  private MeshConfig config() {
    return MeshConfig.fromMap(Map.of("mesh", Map.of(
        "discovery", Map.of("consul", Map.of("url", consul.url(), "wait", "30s", "min-interval", "10ms")),
        "services", Map.of("reviews", Map.of("discovery", "consul")))));
  }

  private static List<Thread> consulThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("mesh-consul-")).toList();
  }

  private void awaitBlockingQuery() {
    long index = consul.checksIndex();
    await(() -> consul.requestedIndexes(ConsulEmulator.CHECKS).contains(index), Duration.ofSeconds(5),
        "the blocking query at " + index);
  }

  @Test
  void closingTheMeshWhileTheAgentHoldsTheQueryEndsItsThreadsAndConnectionsAtOnce() throws Exception {
    try (Backends backends = new Backends("r1")) {
      consul.register(backends.registration("reviews", "r1"));
      Mesh mesh = Mesh.builder().config(config()).build();
      assertThat(call(mesh, "http://reviews/")).isEqualTo("r1");
      awaitBlockingQuery();
      List<Thread> threads = consulThreads();
      assertThat(threads).isNotEmpty();
      assertThat(consul.connections().openConnections()).isPositive();

      long start = System.nanoTime();
      mesh.close();

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      await(() -> threads.stream().noneMatch(Thread::isAlive), Duration.ofSeconds(5), "the Consul threads to end");
      await(() -> consul.connections().openConnections() == 0, Duration.ofSeconds(5),
          "the connections to the agent to close");
    }
  }
}
