package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.RequestNotRetriedException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scripted failure: a server answers a first POST, then reads a second POST on the same (reused)
 * connection and closes it without answering. Plain OkHttp silently sends the second POST again; the
 * mesh does not.
 */
@Timeout(30)
class PostDuplicationTest {

  private static MockWebServer scriptedServer() throws IOException {
    MockWebServer server = new MockWebServer();
    server.enqueue(new MockResponse.Builder().body("first").build());
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(new MockResponse.Builder().body("again").build());
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    return server;
  }

  private static Request post(String url, String id) {
    return new Request.Builder().url(url).header("x-request-id", id)
        .post(RequestBody.create("{\"id\":\"" + id + "\"}", MediaType.get("application/json"))).build();
  }

  private static List<String> receivedIds(MockWebServer server) throws InterruptedException {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < server.getRequestCount(); i++) {
      ids.add(server.takeRequest().getHeaders().get("x-request-id"));
    }
    return ids;
  }

  @Test
  void plainOkHttpWithDefaultSettingsSendsThePostTwice() throws Exception {
    try (MockWebServer server = scriptedServer()) {
      OkHttpClient plain = new OkHttpClient();
      String url = server.url("/orders").toString();
      try (Response r = plain.newCall(post(url, "order-1")).execute()) {
        assertThat(r.body().string()).isEqualTo("first");
      }
      try (Response r = plain.newCall(post(url, "order-2")).execute()) {
        assertThat(r.body().string()).isEqualTo("again");
      }
      assertThat(receivedIds(server)).containsExactly("order-1", "order-2", "order-2");
      plain.connectionPool().evictAll();
    }
  }

  @Test
  void meshNeverSendsThePostTwice() throws Exception {
    try (MockWebServer server = scriptedServer()) {
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("orders", List.of(ServiceInstance.of("orders", "127.0.0.1", server.getPort())));
      try (Mesh mesh = Mesh.builder().discovery("memory", discovery)
          .config(MeshConfig.builder().service(ServiceConfig.builder("orders").build()).build()).build()) {
        try (Response r = mesh.httpClient().newCall(post("http://orders/orders", "order-1")).execute()) {
          assertThat(r.body().string()).isEqualTo("first");
        }
        assertThatThrownBy(() -> mesh.httpClient().newCall(post("http://orders/orders", "order-2")).execute())
            .isInstanceOf(RequestNotRetriedException.class)
            .hasMessageContaining("not sent again because POST is not idempotent");
      }
      assertThat(receivedIds(server)).containsExactly("order-1", "order-2");
    }
  }
}
