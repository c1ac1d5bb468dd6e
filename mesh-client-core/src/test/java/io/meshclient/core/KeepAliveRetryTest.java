package io.meshclient.core;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.meshclient.api.RequestNotRetriedException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.ConnectionPoolConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.ServiceDefaults;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that closes idle connections after 1 s, and a client that keeps them for 5 minutes: the
 * classic stale keep-alive connection.
 */
@Timeout(30)
class KeepAliveRetryTest {
  private WireMockServer server;
  private Mesh mesh;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void start() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().jettyIdleTimeout(1000L));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("orders", List.of(ServiceInstance.of("orders", "127.0.0.1", server.port())));
    MeshConfig config = MeshConfig.builder()
        .defaults(ServiceDefaults.DEFAULT.withConnectionPool(new ConnectionPoolConfig(8, 64, Duration.ofMinutes(5))))
        .service(ServiceConfig.builder("orders").build())
        .build();
    mesh = Mesh.builder().config(config).discovery("memory", discovery).meterRegistry(meters).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    server.stop();
  }

  private Response call(Request request) throws IOException {
    return mesh.httpClient().newCall(request).execute();
  }

  @Test
  void getAfterTheServerClosedTheIdleConnectionSucceedsWithOneRetry() throws Exception {
    try (Response first = call(new Request.Builder().url("http://orders/a").build())) {
      assertThat(first.body().string()).isEqualTo("ok");
    }
    Thread.sleep(2000);
    assertThat(mesh.httpClient().connectionPool().idleConnectionCount()).isEqualTo(1);
    try (Response second = call(new Request.Builder().url("http://orders/b").build())) {
      assertThat(second.code()).isEqualTo(200);
    }
    assertThat(meters.get("mesh.client.retries").tag("reason", "reused-connection-failed").counter().count())
        .isEqualTo(1);
  }

  @Test
  void postAfterTheServerClosedTheIdleConnectionFailsCleanlyAndIsNeverReceivedTwice() throws Exception {
    RequestBody body = RequestBody.create("{\"id\":1}", MediaType.get("application/json"));
    try (Response first = call(new Request.Builder().url("http://orders/orders").post(body).build())) {
      assertThat(first.code()).isEqualTo(200);
    }
    Thread.sleep(2000);
    RequestBody second = RequestBody.create("{\"id\":2}", MediaType.get("application/json"));
    assertThatThrownBy(() -> call(new Request.Builder().url("http://orders/orders?token=secret").post(second).build()))
        .isInstanceOf(RequestNotRetriedException.class)
        .hasMessageStartingWith("POST http://orders/... failed on a reused connection to 127.0.0.1:")
        .hasMessageContaining("not sent again because POST is not idempotent")
        .hasMessageNotContaining("secret");
    Thread.sleep(200);
    server.verify(1, postRequestedFor(urlEqualTo("/orders")));
    assertThat(server.findAll(postRequestedFor(urlEqualTo("/orders?token=secret")))).isEmpty();
    assertThat(meters.get("mesh.client.requests").tag("method", "POST").tag("error", "io-error").timer().count())
        .as("the failure it died of, not a cancellation").isEqualTo(1);
  }
}
