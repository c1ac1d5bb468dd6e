package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A VirtualService's {@code http[].timeout} bounds the whole call, the response body included, as in Envoy. */
@Timeout(30)
class IstioTimeoutTest {
  @TempDir
  Path dir;

  private final MockWebServer server = new MockWebServer();

  @AfterEach
  void close() {
    server.close();
  }

  private Mesh mesh(String routes, MeshConfig base) throws Exception {
    Path file = dir.resolve("vs.yaml");
    Files.writeString(file, """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: ratings }
        spec:
          hosts: [ratings]
          http:
        """ + routes);
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("ratings",
        List.of(io.meshclient.api.ServiceInstance.of("ratings", "127.0.0.1", server.getPort())));
    return Mesh.builder().config(base).istioConfig(file).discovery("memory", discovery).build();
  }

  @Test
  void aTimeoutCutsABodyThatTricklesPastIt() throws Exception {
    server.enqueue(new MockResponse.Builder().body("x".repeat(100)).throttleBody(1, 100, TimeUnit.MILLISECONDS)
        .build());
    server.start();
    try (Mesh mesh = mesh("""
            - route: [{ destination: { host: ratings } }]
              timeout: 600ms
        """, MeshConfig.builder().build())) {
      long start = System.nanoTime();
      // The body is small enough to be read inside the attempt (Istio's default retries resets): the deadline
      // cuts it there, and the call fails rather than the body's read. On a loaded machine the body can be
      // read past the attempt, and the deadline on the body's source ends it: an InterruptedIOException
      // ("deadline reached") rather than its subclass SocketTimeoutException, in the same time.
      assertThatThrownBy(() -> {
        try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://ratings/a").build())
            .execute()) {
          response.body().string();
        }
      }).isInstanceOf(java.io.InterruptedIOException.class);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(550L, 1900L);
    }
  }

  @Test
  void theTimeoutIsTheCallDeadlineOnTheRoutesRetriesOrTheServicesAndZeroTurnsItOff() throws Exception {
    server.start();
    MeshConfig base = MeshConfig.fromYaml("""
        mesh:
          services:
            ratings:
              retry: { attempts: 4, per-try-timeout: 300ms }
        """, n -> null);
    try (Mesh mesh = mesh("""
            - match: [{ uri: { prefix: /own } }]
              route: [{ destination: { host: ratings } }]
              timeout: 2s
              retries: { attempts: 2, perTryTimeout: 500ms }
            - match: [{ uri: { prefix: /inherited } }]
              route: [{ destination: { host: ratings } }]
              timeout: 3s
            - route: [{ destination: { host: ratings } }]
              timeout: 0s
        """, base)) {
      List<RouteConfig> routes = mesh.config().service("ratings").routes();
      RetryConfig own = routes.get(0).retry();
      assertThat(own.deadline()).hasSeconds(2);
      assertThat(own.perTryTimeout()).hasMillis(500);
      assertThat(own.attempts()).isEqualTo(3);
      RetryConfig inherited = routes.get(1).retry();
      assertThat(inherited).isEqualTo(base.service("ratings").retry().withDeadline(java.time.Duration.ofSeconds(3)));
      assertThat(routes.get(2).retry()).as("timeout: 0s, no deadline: the service's policy applies").isNull();
      assertThat(routes.get(2).timeout()).as("and no read timeout")
          .isEqualTo(io.meshclient.api.spi.Setting.MAX_DURATION);
    }
  }
}
