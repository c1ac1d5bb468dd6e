package io.meshclient.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.ServiceDiscovery;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An API server that refuses the service account (RBAC): the failure names the permission to grant, and
 * the bearer token appears in no log line, status or error.
 */
class ForbiddenTest {
  private static final String TOKEN = "bearer-s3cr3t-4b1d";
  private static final String FORBIDDEN = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
      + "\"status\":\"Failure\",\"message\":\"endpointslices.discovery.k8s.io is forbidden: User "
      + "\\\"system:serviceaccount:test:default\\\" cannot list resource \\\"endpointslices\\\" in API group "
      + "\\\"discovery.k8s.io\\\" in the namespace \\\"test\\\"\",\"reason\":\"Forbidden\","
      + "\"details\":{\"group\":\"discovery.k8s.io\",\"kind\":\"endpointslices\"},\"code\":403}";

  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      boolean version = exchange.getRequestURI().getPath().equals("/version");
      byte[] body = (version ? "{\"major\":\"1\",\"minor\":\"30\",\"gitVersion\":\"v1.30.0\"}" : FORBIDDEN)
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(version ? 200 : 403, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void refusedListNamesThePermissionAndNeverTheToken(@TempDir Path dir) throws IOException {
    Path kubeconfig = dir.resolve("config");
    Files.writeString(kubeconfig, ApiServer.kubeconfig("http://127.0.0.1:" + server.getAddress().getPort(), TOKEN));
    RecordingListener listener = new RecordingListener();

    try (LogCapture log = LogCapture.everything();
        ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(KubernetesDiscoverySettings.builder()
            .kubeconfig(kubeconfig).podLabels(List.of()).firstSyncWait(Duration.ofSeconds(2)).build())) {
      long start = System.nanoTime();
      discovery.watch("reviews", listener);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.DISCONNECTED,
          Duration.ofSeconds(10), "the status to turn DISCONNECTED");

      String expected = "; grant the service account 'list' and 'watch' on endpointslices "
          + "(API group discovery.k8s.io) in namespace 'test'";
      assertThat(discovery.status().lastError()).isEqualTo("EndpointSlices of reviews: forbidden (HTTP 403): "
          + "endpointslices.discovery.k8s.io is forbidden: User \"system:serviceaccount:test:default\" cannot list "
          + "resource \"endpointslices\" in API group \"discovery.k8s.io\" in the namespace \"test\"" + expected);
      RecordingListener.await(() -> log.text().contains(expected), Duration.ofSeconds(5), "the warning");
      assertThat(log.text() + discovery.status()).doesNotContain(TOKEN);
    }
  }
}
