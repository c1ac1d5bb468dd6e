package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.RequestNotRetriedException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.HedgeConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Instances that speak HTTP/2 (h2c, prior knowledge) and reset streams: a stream the server refused
 * ({@code REFUSED_STREAM}, RFC 9113 §8.7: not processed) is sent again whatever its method, as OkHttp and
 * Envoy's {@code refused-stream} do, without blaming the instance; a stream reset with another code after the
 * request was sent may have been processed, and only an idempotent request is sent again.
 */
@Timeout(30)
class Http2StreamResetTest {
  private static final List<Protocol> H2C = List.of(Protocol.H2_PRIOR_KNOWLEDGE);
  private final MockWebServer server = new MockWebServer();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<String> ejected = new CopyOnWriteArrayList<>();
  private final List<CallOutcome> outcomes = new CopyOnWriteArrayList<>();
  private Mesh mesh;

  @BeforeEach
  void start() throws IOException {
    server.setProtocols(H2C);
    server.start();
  }

  /**
   * A mesh of one instance, the server. With {@code strict}, one failure ejects it, without panic: an instance
   * blamed for a refused stream is gone for the next call; otherwise outlier detection is off.
   */
  private void mesh(boolean strict) {
    mesh(strict, new OkHttpClient.Builder().protocols(H2C).build());
  }

  private void mesh(boolean strict, OkHttpClient base) {
    mesh(ServiceConfig.builder("orders")
        .outlierDetection(strict ? new OutlierConfig(1, Duration.ofSeconds(30), Duration.ofSeconds(300), 100, 0)
            : ServiceConfig.OUTLIER_DETECTION_OFF), base);
  }

  private void mesh(ServiceConfig.Builder service, OkHttpClient base) {
    MeshConfig config = MeshConfig.builder().service(service.build()).build();
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("orders", List.of(new ServiceInstance("a", "orders", "127.0.0.1", server.getPort(), false, 1,
            Map.of(), "")));
    mesh = Mesh.builder().okHttpClient(base).config(config)
        .discovery("memory", discovery).meterRegistry(meters).listener(new MeshListener() {
          @Override
          public void onEjected(String service, String instanceId, long nanos) {
            ejected.add(instanceId);
          }

          @Override
          public void onCallComplete(String service, String subset, String method, int status, CallOutcome outcome,
              long nanos) {
            outcomes.add(outcome);
          }
        }).build();
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    server.close();
  }

  /**
   * A stream reset with {@code code} once the server has read the request, before any response. (MockWebServer
   * resets a stream as it starts, {@code onRequestStart}, before taking that response off its queue: a resend
   * quick enough could be reset by it too.)
   */
  private static MockResponse resetWith(ErrorCode code) {
    return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseStream(code.getHttpCode())).build();
  }

  private static MockResponse ok() {
    return new MockResponse.Builder().body("ok").build();
  }

  private static Request post(RequestBody body) {
    return new Request.Builder().url("http://orders/orders").post(body).build();
  }

  /** Sends {@code request} through the mesh on another thread; its response's body. */
  private CompletableFuture<String> inBackground(Request request) {
    return CompletableFuture.supplyAsync(() -> {
      try (Response r = mesh.httpClient().newCall(request).execute()) {
        return r.body().string();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** A body OkHttp may write only once, as a streamed upload. */
  private static RequestBody oneShot() {
    return new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/json");
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        sink.writeUtf8("{}");
      }

      @Override
      public boolean isOneShot() {
        return true;
      }
    };
  }

  private static RequestBody json() {
    return RequestBody.create("{\"id\":1}", MediaType.get("application/json"));
  }

  @Test
  void aRefusedPostIsSentAgainWithoutBlamingTheInstance() throws Exception {
    mesh(true);
    server.enqueue(resetWith(ErrorCode.REFUSED_STREAM));
    server.enqueue(ok());
    server.enqueue(ok());
    try (Response response = mesh.httpClient().newCall(post(json())).execute()) {
      assertThat(response.body().string()).isEqualTo("ok");
    }
    assertThat(ejected).isEmpty();
    try (Response next = mesh.httpClient().newCall(post(json())).execute()) {
      assertThat(next.code()).isEqualTo(200);
    }
    assertThat(meters.get("mesh.client.retries").tag("reason", "refused-stream").counter().count()).isEqualTo(1);
  }

  @Test
  void aHedgedGetRefusedIsSentAgainWithoutBlamingTheInstance() throws Exception {
    // A hedged route's attempts go out as calls of their own: the only one, refused, is sent again by itself.
    mesh(ServiceConfig.builder("orders")
        .outlierDetection(new OutlierConfig(1, Duration.ofSeconds(30), Duration.ofSeconds(300), 100, 0))
        .subset("all", Map.of()).route(RouteConfig.to(RouteConfig.Match.ANY, "all").withRetry(RetryConfig.NONE)
            .withHedge(HedgeConfig.after(Duration.ofSeconds(5)))), new OkHttpClient.Builder().protocols(H2C).build());
    server.enqueue(resetWith(ErrorCode.REFUSED_STREAM));
    server.enqueue(ok());
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://orders/h").build())
        .execute()) {
      assertThat(response.body().string()).isEqualTo("ok");
    }
    assertThat(ejected).isEmpty();
    assertThat(meters.get("mesh.client.retries").tag("reason", "refused-stream").counter().count()).isEqualTo(1);
  }

  @Test
  void aPostRefusedTwiceIsSentAgainOnceAndFailsNamingTheInstanceAndService() throws Exception {
    mesh(false);
    server.enqueue(resetWith(ErrorCode.REFUSED_STREAM));
    server.enqueue(resetWith(ErrorCode.REFUSED_STREAM));
    server.enqueue(ok());
    assertThatThrownBy(() -> mesh.httpClient().newCall(post(json())).execute())
        .isInstanceOf(RequestNotRetriedException.class).hasCauseInstanceOf(StreamResetException.class)
        .hasMessage("POST http://orders/... was refused unprocessed by instance a (127.0.0.1:" + server.getPort()
            + ") of service orders; not sent again because POST is not idempotent and its one resend of a refused"
            + " stream was taken (okhttp3.internal.http2.StreamResetException: stream was reset: REFUSED_STREAM)");
    assertThat(meters.get("mesh.client.retries").tag("reason", "refused-stream").counter().count()).isEqualTo(1);
    assertThat(outcomes).containsExactly(CallOutcome.IO_ERROR);
  }

  @Test
  void aRefusedPostWithAOneShotBodyIsNotSentAgain() throws Exception {
    mesh(false);
    server.enqueue(resetWith(ErrorCode.REFUSED_STREAM));
    server.enqueue(ok());
    assertThatThrownBy(() -> mesh.httpClient().newCall(post(oneShot())).execute())
        .isInstanceOf(RequestNotRetriedException.class)
        .hasMessage("POST http://orders/... was refused unprocessed by instance a (127.0.0.1:" + server.getPort()
            + ") of service orders; not sent again because its one-shot body may have been written"
            + " (okhttp3.internal.http2.StreamResetException: stream was reset: REFUSED_STREAM)");
    assertThat(meters.find("mesh.client.retries").counter()).isNull();
  }

  @Test
  void aOneShotPostThatLostARaceWithTheServersGoawayIsSentOnANewConnection() throws Exception {
    // The POST takes the pooled connection while a GET is in flight on it, and is held (after the connection
    // is chosen, before its stream is opened) until the server has answered the GET and sent GOAWAY as it
    // shuts the connection down, a rolling restart's graceful drain: OkHttp then refuses to open the stream
    // (ConnectionShutdownException), nothing of the request written.
    CountDownLatch goawaySent = new CountDownLatch(1);
    OkHttpClient base = new OkHttpClient.Builder().protocols(H2C).addNetworkInterceptor(chain -> {
      if (chain.request().method().equals("POST") && chain.connection() != null
          && chain.request().header("x-first") != null) {
        try {
          goawaySent.await();
        } catch (InterruptedException e) {
          throw new InterruptedIOException();
        }
      }
      return chain.proceed(chain.request());
    }).build();
    mesh(true, base);
    server.enqueue(new MockResponse.Builder().body("get").headersDelay(500, TimeUnit.MILLISECONDS)
        .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(ok());
    CompletableFuture<String> get = inBackground(new Request.Builder().url("http://orders/get").build());
    server.takeRequest(); // the GET is in flight: its connection is pooled and takes more streams
    CompletableFuture<String> post = inBackground(post(oneShot()).newBuilder().header("x-first", "1").build());
    assertThat(get.get(10, TimeUnit.SECONDS)).isEqualTo("get");
    Thread.sleep(300); // the GOAWAY reaches the client
    goawaySent.countDown();
    assertThat(post.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(1);
    assertThat(meters.get("mesh.client.retries").tag("reason", "refused-stream").counter().count()).isEqualTo(1);
    assertThat(ejected).isEmpty();
  }

  @Test
  void aPostResetWithInternalErrorIsNotSentAgainAndFailsNamingTheInstanceAndService() throws Exception {
    mesh(false);
    server.enqueue(resetWith(ErrorCode.INTERNAL_ERROR));
    server.enqueue(ok());
    assertThatThrownBy(() -> mesh.httpClient().newCall(post(json())).execute())
        .isInstanceOf(RequestNotRetriedException.class).hasCauseInstanceOf(StreamResetException.class)
        .hasMessage("POST http://orders/... was reset by instance a (127.0.0.1:" + server.getPort() + ") of service"
            + " orders with INTERNAL_ERROR after it was sent; not sent again because POST is not idempotent"
            + " (okhttp3.internal.http2.StreamResetException: stream was reset: INTERNAL_ERROR)");
    assertThat(outcomes).containsExactly(CallOutcome.IO_ERROR);
  }

  @Test
  void aPostResetWithProtocolErrorOnAReusedConnectionIsNotSentAgainAsIfTheConnectionWereStale() throws Exception {
    mesh(false);
    server.enqueue(ok());
    server.enqueue(resetWith(ErrorCode.PROTOCOL_ERROR));
    server.enqueue(ok());
    try (Response first = mesh.httpClient().newCall(post(json())).execute()) {
      assertThat(first.code()).isEqualTo(200);
    }
    assertThatThrownBy(() -> mesh.httpClient().newCall(post(json())).execute())
        .isInstanceOf(RequestNotRetriedException.class)
        .hasMessage("POST http://orders/... was reset by instance a (127.0.0.1:" + server.getPort() + ") of service"
            + " orders with PROTOCOL_ERROR after it was sent; not sent again because POST is not idempotent"
            + " (okhttp3.internal.http2.StreamResetException: stream was reset: PROTOCOL_ERROR)");
  }

  @Test
  void aGetResetWithInternalErrorOnAReusedConnectionIsRetriedAsAReset() throws Exception {
    // A server's RST_STREAM on a live connection, not a connection that died in the pool: retried under
    // `reset` (from the budget), not as a free resend of a stale connection.
    mesh(false);
    server.enqueue(ok());
    server.enqueue(resetWith(ErrorCode.INTERNAL_ERROR));
    server.enqueue(ok());
    for (String path : List.of("/1", "/2")) {
      try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://orders" + path).build())
          .execute()) {
        assertThat(response.body().string()).isEqualTo("ok");
      }
    }
    assertThat(meters.get("mesh.client.retries").tag("reason", "reset").counter().count()).isEqualTo(1);
    assertThat(meters.find("mesh.client.retries").tag("reason", "reused-connection-failed").counter()).isNull();
    assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(0);
    assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(0);
  }

  @Test
  void aGetResetOnAReusedConnectionIsAFailureOfTheInstance() throws Exception {
    // One failure ejects the only instance: the retry of the reset finds none, and says why.
    mesh(true);
    server.enqueue(ok());
    server.enqueue(resetWith(ErrorCode.INTERNAL_ERROR));
    server.enqueue(ok());
    try (Response first = mesh.httpClient().newCall(new Request.Builder().url("http://orders/1").build()).execute()) {
      assertThat(first.code()).isEqualTo(200);
    }
    assertThatThrownBy(() -> mesh.httpClient().newCall(new Request.Builder().url("http://orders/2").build()).execute())
        .isInstanceOf(NoHealthyInstanceException.class)
        .hasMessage("no healthy instance of service 'orders': its only instance is ejected by outlier detection")
        .hasCauseInstanceOf(StreamResetException.class);
    assertThat(ejected).containsExactly("a");
  }

  @Test
  void aGetResetWithInternalErrorIsRetriedAsAReset() throws Exception {
    mesh(false);
    server.enqueue(resetWith(ErrorCode.INTERNAL_ERROR));
    server.enqueue(ok());
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://orders/o").build())
        .execute()) {
      assertThat(response.body().string()).isEqualTo("ok");
    }
    assertThat(meters.get("mesh.client.retries").tag("reason", "reset").counter().count()).isEqualTo(1);
  }
}
