package io.meshclient.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An API server that accepts connections and never answers: building a mesh waits {@code first-sync-wait}
 * once in all, however many services it watches and whether pod labels are watched too, and closing it
 * is prompt.
 */
class HungApiServerTest {
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private ServerSocket server;

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          held.add(server.accept());
        }
      } catch (IOException closed) {
        // stop() ends the loop
      }
    }, "hung-api-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    for (Socket socket : held) {
      socket.close();
    }
  }

  @Test
  void buildWaitsTheFirstSyncWaitOnceForEveryServiceAndThePodsTogether() {
    // One service first: it loads the Kubernetes client's classes (seconds on a cold JVM on a busy
    // machine), so the second build's time is the wait. Waiting per service would add 3 x 2s to it.
    Duration one = timedBuildAndClose(Map.of("reviews", Map.of("discovery", "kubernetes")));
    Duration four = timedBuildAndClose(Map.of("reviews", Map.of("discovery", "kubernetes"),
        "ratings", Map.of("discovery", "kubernetes"), "details", Map.of("discovery", "kubernetes"),
        "productpage", Map.of("discovery", "kubernetes")));

    assertThat(one).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(four).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(four.minus(one)).as("four services wait as long as one (%s against %s)", four, one)
        .isLessThan(Duration.ofSeconds(3));
  }

  /** How long building a mesh over {@code services} on the hung server took; closing it must be prompt. */
  private Duration timedBuildAndClose(Map<String, Object> services) {
    long start = System.nanoTime();
    Mesh mesh = Mesh.builder().config(MeshConfig.fromMap(Map.of("mesh", Map.of(
        "discovery", Map.of("kubernetes", Map.of("master-url", "http://127.0.0.1:" + server.getLocalPort(),
            "namespace", "test", "first-sync-wait", "2s")),
        "services", services)))).build();
    Duration built = Duration.ofNanos(System.nanoTime() - start);
    long closing = System.nanoTime();
    mesh.close();
    assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(1));
    return built;
  }
}
