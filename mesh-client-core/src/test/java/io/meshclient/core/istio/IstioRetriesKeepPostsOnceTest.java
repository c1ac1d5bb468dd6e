package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's retryOn gateway-error (and 5xx, reset) retries a per-try timeout and a broken connection as Envoy's
 * router does; the mesh still sends a POST, which the server may have acted on, only once, unless the
 * application's own retry policy allows non-idempotent requests. One retry (attempts: 1): the retry budget's
 * reserve always pays the first, and a second within 100 ms may be refused.
 */
@Timeout(60)
class IstioRetriesKeepPostsOnceTest {
  @TempDir
  Path dir;

  private Mesh mesh(MockWebServer server) throws IOException {
    Path file = dir.resolve("istio.yaml");
    Files.writeString(file, """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: orders }
        spec:
          hosts: [orders]
          http:
            - route: [{ destination: { host: orders } }]
              retries: { attempts: 1, perTryTimeout: 200ms, retryOn: gateway-error }
        """);
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("orders", List.of(ServiceInstance.of("orders", "127.0.0.1", server.getPort())));
    return Mesh.builder().istioConfig(file).discovery("memory", discovery).build();
  }

  private static Request post() {
    return new Request.Builder().url("http://orders/orders")
        .post(RequestBody.create("{\"id\":\"order-1\"}", MediaType.get("application/json"))).build();
  }

  private static Request get() {
    return new Request.Builder().url("http://orders/orders").build();
  }

  @Test
  void aPostThatTimedOutIsNotSentAgainThoughGatewayErrorRetriesATimedOutGet() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      for (int i = 0; i < 4; i++) {
        server.enqueue(new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body("late").build());
      }
      server.start(InetAddress.getByName("127.0.0.1"), 0);
      try (Mesh mesh = mesh(server)) {
        assertThatThrownBy(() -> mesh.httpClient().newCall(post()).execute())
            .isInstanceOf(java.net.SocketTimeoutException.class); // OkHttp's or the JDK's words
        assertThat(server.getRequestCount()).as("the POST, sent once").isEqualTo(1);

        assertThatThrownBy(() -> mesh.httpClient().newCall(get()).execute())
            .isInstanceOf(java.net.SocketTimeoutException.class); // OkHttp's or the JDK's words
        assertThat(server.getRequestCount()).as("then the GET, tried twice").isEqualTo(3);
      }
    }
  }

  @Test
  void aPostWhoseConnectionBrokeIsNotSentAgainThoughGatewayErrorRetriesABrokenGet() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      for (int i = 0; i < 4; i++) {
        server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
      }
      server.start(InetAddress.getByName("127.0.0.1"), 0);
      try (Mesh mesh = mesh(server)) {
        String broken = "unexpected end of stream on http://127.0.0.1:" + server.getPort() + "/...";
        assertThatThrownBy(() -> mesh.httpClient().newCall(post()).execute()).hasMessage(broken);
        assertThat(server.getRequestCount()).as("the POST, sent once").isEqualTo(1);

        assertThatThrownBy(() -> mesh.httpClient().newCall(get()).execute()).hasMessage(broken);
        assertThat(server.getRequestCount()).as("then the GET, tried twice").isEqualTo(3);
      }
    }
  }
}
