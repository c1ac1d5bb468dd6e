package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code mesh.close()} with Kubernetes discovery: prompt, and no thread of the mesh or its HTTP client left. */
class ShutdownTest {

  /**
   * Live threads, by name, the mock API server's own (Vert.x) included; a closed JDK HttpClient's selector
   * thread ends only once the client is collected.
   */
  private static Set<String> threads() {
    System.gc();
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Three meshes in turn, each on its own API server: the mock server stopped answering a new client now and
   * then once an earlier one had closed its watches (about one run in three), which is the mock's doing, not
   * the mesh's. Threads are counted before the first server starts and after the last one stops.
   */
  @Test
  void closingMeshesWhileTheyWatchLeavesNoThreadBehind() {
    Set<String> before = threads();
    for (int i = 0; i < 3; i++) {
      try (ApiServer api = ApiServer.crud()) {
        api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
        api.pod("reviews-v1", Map.of("version", "v1"));
        Mesh mesh = Mesh.builder().config(MeshConfig.fromMap(Map.of("mesh", Map.of(
            "discovery", Map.of("kubernetes", api.settingsMap()),
            "services", Map.of("reviews", Map.of("discovery", "kubernetes")))))).build();
        RecordingListener.await(() -> api.requests.stream().filter(p -> p.contains("watch=true")).count() >= 2,
            Duration.ofSeconds(10), "2 watches (the slices and the pods)");
        // Closed while the mock still writes a watch's first events, the mock deadlocks for 30 s and its
        // destroy() leaves its Vert.x threads running (see CountingWatch): the mock's flaw, not the mesh's.
        RecordingListener.await(() -> api.watchEventsSent.get() >= 2, Duration.ofSeconds(10),
            "the ADDED events of the slice and the pod written to the watches");

        long start = System.nanoTime();
        mesh.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      }
    }

    assertThat(threadsLeftSince(before)).as("threads left after closing the meshes and their API servers").isEmpty();
  }

  /**
   * A build refused by a setting checked once the kubernetes discovery was created (its API server probe
   * running): the discovery is closed with its threads.
   */
  @Test
  void aBuildRefusedAfterTheDiscoveryWasCreatedLeavesNoThreadBehind() {
    Set<String> before = threads();
    try (ApiServer api = ApiServer.crud()) {
      MeshConfig config = MeshConfig.fromMap(Map.of("mesh", Map.of(
          "discovery", Map.of("kubernetes", api.settingsMap()),
          "services", Map.of("reviews", Map.of("discovery", "consul")))));

      assertThatThrownBy(() -> Mesh.builder().config(config).build()).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("mesh.services.reviews.discovery: consul (expected: one of the configured discoveries "
              + "[kubernetes])");
    }

    assertThat(threadsLeftSince(before)).as("threads left after the refused build and the API server").isEmpty();
  }

  /**
   * The threads started since {@code before} still alive after a bounded wait: the selector threads end once
   * their closed clients are collected and the selector wakes up, so a busy machine gets 30 s.
   */
  private static Set<String> threadsLeftSince(Set<String> before) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Set<String> left = threads();
    left.removeAll(before);
    while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
      sleep(200);
      left = threads();
      left.removeAll(before);
    }
    return left;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
