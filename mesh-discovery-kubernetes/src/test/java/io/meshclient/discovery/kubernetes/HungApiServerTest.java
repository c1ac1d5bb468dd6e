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
    Map<String, Object> services = Map.of("reviews", Map.of("discovery", "kubernetes"),
        "ratings", Map.of("discovery", "kubernetes"), "details", Map.of("discovery", "kubernetes"),
        "productpage", Map.of("discovery", "kubernetes"));
    long start = System.nanoTime();
    Mesh mesh = Mesh.builder().config(MeshConfig.fromMap(Map.of("mesh", Map.of(
        "discovery", Map.of("kubernetes", Map.of("master-url", "http://127.0.0.1:" + server.getLocalPort(),
            "namespace", "test", "first-sync-wait", "1s")),
        "services", services)))).build();
    Duration built = Duration.ofNanos(System.nanoTime() - start);

    long closing = System.nanoTime();
    mesh.close();

    assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(1));
    // Once in all: at least the 1s wait, and well under the 5s of one wait per service and one for the pods
    // (the rest is building the Kubernetes client, about a second on a cold JVM on a busy 2-core machine).
    assertThat(built).isBetween(Duration.ofSeconds(1), Duration.ofMillis(4_000));
  }
}
