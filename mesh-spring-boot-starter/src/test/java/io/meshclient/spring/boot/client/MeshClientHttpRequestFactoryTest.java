package io.meshclient.spring.boot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.RateLimitExceededException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import io.meshclient.spring.boot.MeshRefusedException;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/** The request factory sends Spring requests through the mesh's pooled OkHttpClient, faithfully. */
class MeshClientHttpRequestFactoryTest {
  private final MockWebServer server = new MockWebServer();
  private Mesh mesh;
  private RestClient client;

  @BeforeEach
  void start() throws Exception {
    server.start(InetAddress.getLoopbackAddress(), 0);
    mesh = Mesh.builder()
        .config(MeshConfig.fromMap(Map.of("services", Map.of("echo",
            Map.of("rate-limit", Map.of("rate", "1/m", "burst", "40"))))))
        .discovery("static", StaticServiceDiscovery.builder()
            .instance("echo", "http://127.0.0.1:" + server.getPort()).build())
        .build();
    client = RestClient.builder().baseUrl("http://echo").requestFactory(new MeshClientHttpRequestFactory(mesh)).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    server.close();
  }

  @Test
  void sequentialCallsShareOneKeepAliveConnectionAsSeenByTheServer() throws Exception {
    for (int i = 0; i < 30; i++) {
      server.enqueue(new MockResponse.Builder().body("ok " + i).build());
      assertThat(client.get().uri("/hello/{i}", i).retrieve().body(String.class)).isEqualTo("ok " + i);
    }
    for (int i = 0; i < 30; i++) {
      RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
      assertThat(request.getConnectionIndex()).as("server-side connection of call %d", i).isZero();
      assertThat(request.getTarget()).isEqualTo("/hello/" + i);
      assertThat(request.getHeaders().get("User-Agent")).startsWith("okhttp/");
    }
  }

  @Test
  void headersBodyAndStatusCrossUnchanged() throws Exception {
    server.enqueue(new MockResponse.Builder().code(201).addHeader("X-Reply", "yes")
        .addHeader("Content-Type", "text/plain").body("created").build());
    ResponseEntity<String> response = client.post().uri("/items").contentType(MediaType.APPLICATION_JSON)
        .header("end-user", "jason").body("{\"a\":1}").retrieve().toEntity(String.class);
    assertThat(response.getStatusCode().value()).isEqualTo(201);
    assertThat(response.getHeaders().getFirst("X-Reply")).isEqualTo("yes");
    assertThat(response.getBody()).isEqualTo("created");
    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getHeaders().get("end-user")).isEqualTo("jason");
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(request.getBody().utf8()).isEqualTo("{\"a\":1}");
  }

  @Test
  void emptyPostAndServerErrorsBehaveAsWithAnyRequestFactory() {
    server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
    assertThatThrownBy(() -> client.post().uri("/empty").retrieve().toBodilessEntity())
        .isInstanceOf(HttpServerErrorException.ServiceUnavailable.class);
  }

  @Test
  void meshRefusalIsThrownByTypeNotAsResourceAccessExceptionWithoutReachingTheServer() {
    for (int i = 0; i < 40; i++) {
      server.enqueue(new MockResponse.Builder().body("ok").build());
      client.get().uri("/").retrieve().toBodilessEntity();
    }
    assertThatThrownBy(() -> client.get().uri("/").retrieve().toBodilessEntity())
        .isInstanceOf(MeshRefusedException.RateLimitExceeded.class)
        .isNotInstanceOf(ResourceAccessException.class)
        .hasCauseInstanceOf(RateLimitExceededException.class)
        .hasMessage("rate limit 'echo' of service 'echo' exceeded");
    assertThat(server.getRequestCount()).isEqualTo(40);
  }
}
