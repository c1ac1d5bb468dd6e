package io.meshclient.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Responses without a body (a 503 with {@code Content-Length: 0}, any answer to HEAD, 204, 304) that the
 * mesh retries or returns: each one the mesh discards is closed exactly once, and every attempt of the
 * call, and the next call, go over the one keep-alive connection.
 */
@Timeout(30)
class BodilessResponseRetryTest {
  private final MockWebServer server = new MockWebServer();
  /** How many times each response's body was closed, in the order the responses came. */
  private final List<AtomicInteger> closes = new CopyOnWriteArrayList<>();
  private Mesh mesh;

  @BeforeEach
  void start() throws IOException {
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    OkHttpClient counting = new OkHttpClient.Builder().addNetworkInterceptor(chain -> {
      Response response = chain.proceed(chain.request());
      AtomicInteger closed = new AtomicInteger();
      closes.add(closed);
      return response.newBuilder().body(new ClosingCounted(response.body(), closed)).build();
    }).build();
    ServiceConfig service = ServiceConfig.builder("api")
        .retry(RetryConfig.DEFAULT.withAttempts(3)
            .withOn(Set.of(RetryConfig.Condition.CONNECT_FAILURE, RetryConfig.Condition.RESET), Set.of(304, 503))
            .withBackoff(Duration.ZERO, Duration.ZERO).withBudget(100, 100))
        .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
    ServiceInstance instance = new ServiceInstance("a", "api", "127.0.0.1", server.getPort(), false, 1, Map.of(), "");
    mesh = Mesh.builder().okHttpClient(counting).config(MeshConfig.builder().service(service).build())
        .discovery("memory", new InMemoryDiscovery().set("api", List.of(instance))).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    server.close();
  }

  private static MockResponse bodiless(int code) {
    return new MockResponse.Builder().code(code).setHeader("Content-Length", 0).build();
  }

  private Response call(String method) throws IOException {
    return mesh.httpClient().newCall(new Request.Builder().url("http://api/x").method(method, null).build()).execute();
  }

  /** The connection each request so far came on, by arrival. */
  private List<Integer> connections() throws InterruptedException {
    List<Integer> indexes = new java.util.ArrayList<>();
    for (RecordedRequest r; (r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null; ) {
      indexes.add(r.getConnectionIndex());
    }
    return indexes;
  }

  private void assertEachClosedOnce(int responses) {
    assertThat(closes).hasSize(responses);
    assertThat(closes).allSatisfy(c -> assertThat(c.get()).as("closes of one response").isEqualTo(1));
  }

  @Test
  void a503WithAnEmptyBodyIsRetriedOverTheSameConnection() throws Exception {
    server.enqueue(bodiless(503));
    server.enqueue(bodiless(503));
    server.enqueue(new MockResponse.Builder().body("ok").build());
    try (Response response = call("GET")) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("ok");
    }
    assertEachClosedOnce(3);
    assertThat(connections()).containsExactly(0, 0, 0);
  }

  @Test
  void aHeadAnsweredWithA503AndAContentLengthIsRetriedOverTheSameConnection() throws Exception {
    // The answer to HEAD has no body, whatever its Content-Length says.
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Content-Length", 12).build());
    server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Length", 12).build());
    try (Response response = call("HEAD")) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("Content-Length")).isEqualTo("12");
      assertThat(response.body().bytes()).isEmpty();
    }
    server.enqueue(new MockResponse.Builder().body("next").build());
    try (Response response = call("GET")) {
      assertThat(response.body().string()).isEqualTo("next");
    }
    assertEachClosedOnce(3);
    assertThat(connections()).containsExactly(0, 0, 0);
  }

  @Test
  void a304RetriedUntilTheAttemptsRunOutIsReturnedAndEveryConnectionReused() throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(bodiless(304));
    }
    try (Response response = call("GET")) {
      assertThat(response.code()).isEqualTo(304);
    }
    server.enqueue(new MockResponse.Builder().body("next").build());
    try (Response response = call("GET")) {
      assertThat(response.body().string()).isEqualTo("next");
    }
    assertEachClosedOnce(4);
    assertThat(connections()).containsExactly(0, 0, 0, 0);
  }

  @Test
  void a204OnARouteThatRetriesResetsIsReturnedAsIsOverAReusedConnection() throws Exception {
    server.enqueue(new MockResponse.Builder().code(204).build());
    server.enqueue(bodiless(503));
    server.enqueue(new MockResponse.Builder().code(204).build());
    for (int i = 0; i < 2; i++) {
      try (Response response = call("GET")) {
        assertThat(response.code()).isEqualTo(204);
        assertThat(response.body().bytes()).isEmpty();
      }
    }
    assertEachClosedOnce(3);
    assertThat(connections()).containsExactly(0, 0, 0);
  }

  /** A body that counts its {@link #close()} calls. */
  private static final class ClosingCounted extends ResponseBody {
    private final ResponseBody delegate;
    private final AtomicInteger closed;

    ClosingCounted(ResponseBody delegate, AtomicInteger closed) {
      this.delegate = delegate;
      this.closed = closed;
    }

    @Override
    public MediaType contentType() {
      return delegate.contentType();
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public BufferedSource source() {
      return delegate.source();
    }

    @Override
    public void close() {
      closed.incrementAndGet();
      delegate.close();
    }
  }
}
