package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.List;
import okhttp3.EventListener;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OkHttp 5 opens connections with fast fallback (on by default) on its own threads. A failure on a new
 * connection must follow the retry rules (attempts, budget), and only a failure on a connection that
 * carried an earlier exchange is the free stale-connection retry. The server resets every request after
 * reading its head, so every connection is new and carries exactly one request head.
 */
@Timeout(60)
class FastFallbackRetryTest {
  private static final int OFFERED = 200;
  private ResettingServer server;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private Mesh mesh;

  @BeforeEach
  void start() throws IOException {
    server = new ResettingServer();
  }

  @AfterEach
  void stop() throws IOException {
    if (mesh != null) {
      mesh.close();
    }
    server.close();
  }

  private OkHttpClient meshWith(RetryConfig retry) {
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("orders", List.of(ServiceInstance.of("orders", "127.0.0.1", server.port())));
    MeshConfig config = MeshConfig.builder()
        .service(ServiceConfig.builder("orders").retry(retry.withBackoff(java.time.Duration.ZERO,
            java.time.Duration.ZERO)).outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build())
        .build();
    mesh = Mesh.builder().config(config).discovery("memory", discovery).meterRegistry(meters).build();
    OkHttpClient client = mesh.httpClient();
    assertThat(client.fastFallback()).as("the mesh's client keeps OkHttp's default fast fallback").isTrue();
    return client;
  }

  private static int getAll(OkHttpClient client) {
    int failed = 0;
    for (int i = 0; i < OFFERED; i++) {
      try {
        client.newCall(new Request.Builder().url("http://orders/x" + i).build()).execute().close();
      } catch (IOException expected) {
        failed++;
      }
    }
    return failed;
  }

  private double retries(String reason) {
    Counter c = meters.find("mesh.client.retries").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void oneAttemptSendsEachGetExactlyOnce() {
    OkHttpClient client = meshWith(RetryConfig.DEFAULT.withAttempts(1));

    assertThat(getAll(client)).isEqualTo(OFFERED);

    assertThat(server.accepts()).isEqualTo(OFFERED);
    assertThat(server.heads()).isEqualTo(OFFERED);
    assertThat(retries("reused-connection-failed")).isZero();
  }

  @Test
  void defaultRetriesStayWithinTheBudget() {
    OkHttpClient client = meshWith(RetryConfig.DEFAULT);
    long start = System.nanoTime();

    assertThat(getAll(client)).isEqualTo(OFFERED);

    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("fast fallback, default retry: %d upstream attempts for %d offered GETs in %.2f s%n",
        server.heads(), OFFERED, seconds);
    assertThat((double) server.heads()).isLessThanOrEqualTo(OFFERED * 1.2 + 10 * seconds + 1);
    assertThat(server.accepts()).isEqualTo(server.heads());
    assertThat(retries("reused-connection-failed")).isZero();
  }

  @Test
  void detectionSurvivesAnotherEventListener() {
    OkHttpClient client = meshWith(RetryConfig.DEFAULT.withAttempts(1)).newBuilder()
        .eventListenerFactory(call -> EventListener.NONE).build();

    assertThat(getAll(client)).isEqualTo(OFFERED);

    assertThat(server.heads()).isEqualTo(OFFERED);
    assertThat(retries("reused-connection-failed")).isZero();
  }

  @Test
  void aPostResetOnANewConnectionIsNotBlamedOnConnectionReuse() {
    OkHttpClient client = meshWith(RetryConfig.DEFAULT);
    Request post = new Request.Builder().url("http://orders/orders")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();

    assertThatThrownBy(() -> client.newCall(post).execute())
        .isInstanceOf(IOException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("reused connection"));
    assertThat(server.heads()).isEqualTo(1);
  }
}
