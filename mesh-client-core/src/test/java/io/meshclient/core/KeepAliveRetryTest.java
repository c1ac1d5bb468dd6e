package io.meshclient.core;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
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
  void aGetAfterTheServerClosedEveryIdleConnectionGoesThroughWithoutARetryOrABlame() throws Exception {
    // Two pooled connections, both closed by the server while idle: the first is found dead after the GET
    // was written (sent again, free, once per call), the second must then be probed before it is written,
    // not fail as a reset of the instance (a retry from the budget, a failure for the outlier detector).
    server.stubFor(any(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withBody("ok")
        .withFixedDelay(300)));
    List<java.util.concurrent.CompletableFuture<Integer>> both = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      java.util.concurrent.CompletableFuture<Integer> code = new java.util.concurrent.CompletableFuture<>();
      both.add(code);
      new Thread(() -> {
        try (Response r = call(new Request.Builder().url("http://orders/slow").build())) {
          code.complete(r.code());
        } catch (IOException e) {
          code.completeExceptionally(e);
        }
      }).start();
    }
    for (java.util.concurrent.CompletableFuture<Integer> code : both) {
      assertThat(code.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
    }
    Thread.sleep(2000);
    assertThat(mesh.httpClient().connectionPool().idleConnectionCount()).isEqualTo(2);
    try (Response r = call(new Request.Builder().url("http://orders/b").build())) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(meters.find("mesh.client.retries").tag("reason", "reset").counter()).as("retried as a reset").isNull();
    assertThat(meters.get("mesh.client.retries").tag("reason", "reused-connection-failed").counter().count())
        .isEqualTo(2);
  }

  @Test
  void postAfterTheServerClosedTheIdleConnectionGoesOnANewConnectionAndIsReceivedOnce() throws Exception {
    // As Envoy, which sees the server's close of an idle connection and never sends on it: the POST is
    // not failed for a connection that was dead before it was written, nor sent twice.
    RequestBody body = RequestBody.create("{\"id\":1}", MediaType.get("application/json"));
    try (Response first = call(new Request.Builder().url("http://orders/orders").post(body).build())) {
      assertThat(first.code()).isEqualTo(200);
    }
    Thread.sleep(2000);
    RequestBody second = RequestBody.create("{\"id\":2}", MediaType.get("application/json"));
    try (Response r = call(new Request.Builder().url("http://orders/orders?n=2").post(second).build())) {
      assertThat(r.code()).isEqualTo(200);
    }
    server.verify(1, postRequestedFor(urlEqualTo("/orders")));
    server.verify(1, postRequestedFor(urlEqualTo("/orders?n=2")));
    assertThat(meters.get("mesh.client.retries").tag("reason", "reused-connection-failed").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("mesh.client.requests").tag("method", "POST").timer().count()).isEqualTo(2);
  }

  @Test
  void aDeadPooledConnectionIsNotAFailureOfAHealthyInstance() throws Exception {
    // One failure ejects, and nothing is left to balance on (no panic): a stale connection counted as a
    // failure would eject the only instance, and the next call would find none.
    List<String> ejected = new java.util.concurrent.CopyOnWriteArrayList<>();
    MeshConfig config = MeshConfig.builder()
        .defaults(ServiceDefaults.DEFAULT.withConnectionPool(new ConnectionPoolConfig(8, 64, Duration.ofMinutes(5))))
        .service(ServiceConfig.builder("orders")
            .outlierDetection(new io.meshclient.core.config.OutlierConfig(1, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 100, 0)).build())
        .build();
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("orders", List.of(ServiceInstance.of("orders", "127.0.0.1", server.port())));
    try (Mesh strict = Mesh.builder().config(config).discovery("memory", discovery).listener(new MeshListener() {
      @Override
      public void onEjected(String service, String instanceId, long nanos) {
        ejected.add(instanceId);
      }
    }).build()) {
      for (String method : List.of("GET", "POST")) {
        try (Response first = strict.httpClient().newCall(request(method, "/1")).execute()) {
          assertThat(first.code()).isEqualTo(200);
        }
        Thread.sleep(2000);
        try (Response second = strict.httpClient().newCall(request(method, "/2")).execute()) {
          assertThat(second.code()).as(method).isEqualTo(200);
        }
        assertThat(ejected).as(method).isEmpty();
      }
      try (Response next = strict.httpClient().newCall(request("GET", "/3")).execute()) {
        assertThat(next.code()).isEqualTo(200);
      }
    }
  }

  private static Request request(String method, String path) {
    Request.Builder builder = new Request.Builder().url("http://orders" + path);
    return "GET".equals(method) ? builder.build()
        : builder.post(RequestBody.create("{}", MediaType.get("application/json"))).build();
  }
}
