package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.TlsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS handshake is bounded by the connect timeout (what is left of it after the TCP connect), as Envoy's
 * {@code connect_timeout} bounds it, not by the per-try timeout: a server that accepts connections and never
 * answers the ClientHello fails the attempt within the connect timeout. Once connected, reads get the per-try
 * timeout again.
 */
@Timeout(60)
class TlsHandshakeTimeoutTest {
  @TempDir
  static Path dir;
  static TestPki.Held ca;
  static Path caPem;

  @BeforeAll
  static void pki() throws Exception {
    ca = TestPki.ca("prod");
    caPem = ca.writeCertificate(dir, "ca.pem");
  }

  private static Mesh mesh(int port) {
    ServiceConfig reviews = ServiceConfig.builder("reviews").retry(RetryConfig.DEFAULT.withAttempts(1))
        .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).maxConcurrentRequests(1)
        .connectTimeout(Duration.ofMillis(300)).timeout(Duration.ofSeconds(8))
        .tls(new TlsConfig("file:" + caPem, null, null, "reviews")).build();
    return Mesh.builder().discovery("memory", new InMemoryDiscovery().set("reviews",
            List.of(ServiceInstance.of("reviews", "127.0.0.1", port))))
        .config(MeshConfig.builder().service(reviews).build()).build();
  }

  private static String get(Mesh mesh) throws IOException {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/r/1").build()).execute()) {
      return r.body().string();
    }
  }

  @Test
  void aServerThatNeverAnswersTheClientHelloFailsTheAttemptWithinTheConnectTimeout() throws Exception {
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(silent.accept()); // accepted, never read, never answered
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      try (Mesh mesh = mesh(silent.getLocalPort())) {
        for (int i = 0; i < 2; i++) { // the second call gets the max-concurrent slot back
          long start = System.nanoTime();
          assertThatThrownBy(() -> get(mesh)).isInstanceOf(SocketTimeoutException.class);
          assertThat(Duration.ofNanos(System.nanoTime() - start)).as("an 8 s per-try timeout, a 300 ms connect timeout")
              .isLessThan(Duration.ofSeconds(4));
        }
      }
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void anAnswerSlowerThanTheConnectTimeoutStillArrivesOnTheConnectionTheHandshakeMade() throws Exception {
    TestPki.Held server = TestPki.leaf(ca, "reviews", new TestPki.Leaf().dns("reviews"));
    try (CountingTlsServer tls = new CountingTlsServer(server, ca, ca).answerAfter(Duration.ofMillis(800));
        Mesh mesh = mesh(tls.port())) {
      assertThat(get(mesh)).isEqualTo("ok");
      assertThat(get(mesh)).as("again, on the pooled connection").isEqualTo("ok");
      assertThat(tls.requests()).isEqualTo(2);
    }
  }
}
