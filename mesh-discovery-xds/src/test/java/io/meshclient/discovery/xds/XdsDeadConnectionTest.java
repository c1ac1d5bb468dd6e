package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection to the control plane dies without a reset (its host vanished, a NAT dropped it): the
 * keepalive ping goes unanswered, the stream is reopened on a new connection and changes arrive again.
 */
@Timeout(60)
class XdsDeadConnectionTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");
  static final String V2 = istio(9080, "v2", "reviews.default.svc.cluster.local");

  ControlPlane controlPlane;
  Backends backends;
  SilencingProxy proxy;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backends = new Backends("a1", "b1");
    proxy = new SilencingProxy(Integer.parseInt(controlPlane.target().substring("127.0.0.1:".length())));
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    backends.close();
    controlPlane.close();
  }

  Snapshot to(String version, String cluster) {
    return Resources.snapshot(version, List.of(listener("reviews:9080", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews:9080", "reviews"), split(Map.of(cluster, 100)))),
        List.of(cluster(V1), cluster(V2)),
        List.of(endpoints(V1, backends.port("a1")), endpoints(V2, backends.port("b1"))));
  }

  @Test
  void aConnectionThatGoesSilentIsReplacedAfterTheKeepaliveAndChangesArriveAgain() throws Exception {
    controlPlane.set(to("1", V1));
    Map<String, Object> settings = Map.of("server-uri", "127.0.0.1:" + proxy.port(), "node-id", "test~reviews",
        "services", Map.of("reviews", 9080), "reconnect", Map.of("initial", "1s", "max", "2s"),
        "keepalive", Map.of("time", "10s", "timeout", "1s"));
    try (ServiceDiscovery xds = new XdsDiscoveryProvider(new XdsDiscoveryMetrics())
            .create(new DiscoveryContext("mesh.discovery.xds", settings));
        Mesh mesh = Mesh.builder().discovery("xds", xds).build(); Load load = new Load(mesh, "reviews", 1)) {
      Load.await(() -> load.answers("a1") > 5, Duration.ofSeconds(10), "calls to a1");
      proxy.silenceOpenConnections();
      long silenced = System.nanoTime();
      controlPlane.set(to("2", V2));
      // 10 s quiet, 1 s for the ping's answer, about 1 s to reconnect: well within 25 s
      Load.await(() -> load.answers("b1") > 0, Duration.ofSeconds(25), "a call to b1 after the connection died");
      System.out.println("version 2 served " + (load.firstAnswer("b1") - silenced) / 1_000_000
          + " ms after the connection went silent");
      assertThat(proxy.connections()).as("connections through the proxy").isGreaterThanOrEqualTo(2);
      assertThat(load.failures()).isEmpty();
    }
  }

  /**
   * A TCP proxy whose open connections can be made to drop every byte both ways while staying open, as
   * a connection whose peer vanished does; connections opened afterwards pass bytes again.
   */
  static final class SilencingProxy implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    private final int target;
    private final List<AtomicBoolean> silenced = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    SilencingProxy(int target) throws IOException {
      this.target = target;
      daemon("proxy-accept", this::accept);
    }

    int port() {
      return server.getLocalPort();
    }

    int connections() {
      return silenced.size();
    }

    void silenceOpenConnections() {
      silenced.forEach(s -> s.set(true));
    }

    private void accept() {
      try {
        while (true) {
          Socket client = server.accept();
          Socket upstream = new Socket(InetAddress.getByName("127.0.0.1"), target);
          sockets.add(client);
          sockets.add(upstream);
          AtomicBoolean silent = new AtomicBoolean();
          silenced.add(silent);
          daemon("proxy-up", () -> pump(client, upstream, silent));
          daemon("proxy-down", () -> pump(upstream, client, silent));
        }
      } catch (IOException closed) {
        // the proxy is closed
      }
    }

    private static void pump(Socket from, Socket to, AtomicBoolean silent) {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (!silent.get()) {
            out.write(buffer, 0, n);
            out.flush();
          }
        }
      } catch (IOException closed) {
        // either side closed
      }
    }

    private static void daemon(String name, Runnable task) {
      Thread t = new Thread(task, name);
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
