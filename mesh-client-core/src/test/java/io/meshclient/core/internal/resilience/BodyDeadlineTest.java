package io.meshclient.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.HedgeConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.StringMatch;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The call deadline ({@code retry.deadline}) bounds reading the response body, not only the attempts. */
@Timeout(30)
class BodyDeadlineTest {
  /**
   * MockWebServer logs the HTTP/2 stream the client cancels at the deadline (its write then fails) with a stack
   * trace, through OkHttp's logger at INFO, on its own thread and possibly after the test: expected here, and a
   * passing run prints no stack trace. Held strongly, so the level is not lost with a collected logger.
   */
  private static final java.util.logging.Logger OKHTTP = java.util.logging.Logger.getLogger(OkHttpClient.class.getName());
  private static java.util.logging.Level okhttpLevel;

  @org.junit.jupiter.api.BeforeAll
  static void quietServerStreamFailures() {
    okhttpLevel = OKHTTP.getLevel();
    OKHTTP.setLevel(java.util.logging.Level.WARNING);
  }

  @org.junit.jupiter.api.AfterAll
  static void restoreOkHttpLogging() throws InterruptedException {
    Thread.sleep(200); // the server's failed write of the last cancelled stream, logged on its thread
    OKHTTP.setLevel(okhttpLevel);
  }

  /** 100 bytes, one every 100 ms: each read is quick, the whole body takes 10 s. */
  private static final MockResponse TRICKLING = new MockResponse.Builder().body("x".repeat(100))
      .throttleBody(1, 100, TimeUnit.MILLISECONDS).build();

  private final MockWebServer server = new MockWebServer();

  @AfterEach
  void close() {
    server.close();
  }

  private Mesh mesh(OkHttpClient base) {
    ServiceConfig service = ServiceConfig.builder("api").timeout(Duration.ofSeconds(2)).subset("all", Map.of())
        .route(RouteConfig.to(RouteConfig.Match.path(StringMatch.prefix("/free")), "all").withRetry(RetryConfig.NONE))
        .route(RouteConfig.to(RouteConfig.Match.path(StringMatch.prefix("/hedged")), "all")
            .withRetry(RetryConfig.NONE.withDeadline(Duration.ofMillis(600)))
            .withHedge(HedgeConfig.after(Duration.ofMillis(1500))))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "all")
            .withRetry(RetryConfig.NONE.withDeadline(Duration.ofMillis(600))))
        .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
    return Mesh.builder().okHttpClient(base)
        .discovery("memory", new InMemoryDiscovery().set("api", List.of(new ServiceInstance("b", "api", "127.0.0.1",
            server.getPort(), false, 1, Map.of(), ""))))
        .config(MeshConfig.builder().service(service).build()).build();
  }

  private static Request get(String path) {
    return new Request.Builder().url("http://api" + path).build();
  }

  /** Headers come at once; reading the body fails at the 600 ms deadline, long before its 10 s. */
  private static Response cutAtTheDeadline(Mesh mesh, String path) throws Exception {
    return cutAtTheDeadline(mesh, path, SocketTimeoutException.class);
  }

  private static Response cutAtTheDeadline(Mesh mesh, String path, Class<? extends Throwable> failure)
      throws Exception {
    long start = System.nanoTime();
    try (Response response = mesh.httpClient().newCall(get(path)).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThatThrownBy(() -> response.body().string()).isInstanceOf(failure).hasMessage("timeout");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(550L, 1900L);
      return response;
    }
  }

  @Test
  void aTricklingBodyFailsAtTheCallDeadline() throws Exception {
    server.enqueue(TRICKLING);
    server.start();
    try (Mesh mesh = mesh(new OkHttpClient())) {
      cutAtTheDeadline(mesh, "/slow");
    }
  }

  @Test
  void aBodyDoneBeforeTheDeadlineLeavesNoDeadlineOnItsPooledConnection() throws Exception {
    server.enqueue(new MockResponse.Builder().body("y".repeat(200_000)).build());
    server.enqueue(new MockResponse.Builder().body("z".repeat(10)).throttleBody(1, 100, TimeUnit.MILLISECONDS)
        .build());
    server.start();
    try (Mesh mesh = mesh(new OkHttpClient())) {
      try (Response response = mesh.httpClient().newCall(get("/quick")).execute()) {
        assertThat(response.body().string()).hasSize(200_000);
      }
      Thread.sleep(700); // past the first call's deadline
      long start = System.nanoTime();
      try (Response response = mesh.httpClient().newCall(get("/free")).execute()) {
        assertThat(response.body().string()).isEqualTo("z".repeat(10));
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(900L);
      assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(0);
      assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(0);
    }
  }

  @Test
  void anHttp2StreamIsCutAtTheCallDeadlineAndItsConnectionServesTheNextCall() throws Exception {
    cutHttp2Stream();
  }

  private void cutHttp2Stream() throws Exception {
    server.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    server.enqueue(TRICKLING);
    server.enqueue(new MockResponse.Builder().body("ok").build());
    server.start();
    OkHttpClient h2 = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
    try (Mesh mesh = mesh(h2)) {
      assertThat(cutAtTheDeadline(mesh, "/slow").protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
      try (Response response = mesh.httpClient().newCall(get("/free")).execute()) {
        assertThat(response.body().string()).isEqualTo("ok");
      }
    }
  }

  @Test
  void aHedgedRoutesWinnerIsCutAtTheCallDeadlineToo() throws Exception {
    server.enqueue(TRICKLING);
    server.start();
    try (Mesh mesh = mesh(new OkHttpClient())) {
      // A hedged copy also runs with an OkHttp call timeout of its attempt's time, here the same 600 ms: which
      // of the two cuts the body first is a race (SocketTimeoutException or the call's InterruptedIOException).
      cutAtTheDeadline(mesh, "/hedged", java.io.InterruptedIOException.class);
      assertThat(server.getRequestCount()).isEqualTo(1);
    }
  }
}
