package io.meshclient.spring.boot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.core.CallListener;
import io.meshclient.core.CallRecord;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshSnapshot;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import io.meshclient.spring.boot.MeshRefusedException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** WebClient on the mesh's connector, against a real server on loopback. */
class MeshClientHttpConnectorTest {
  private final MockWebServer server = new MockWebServer();
  private final List<CallRecord> calls = new CopyOnWriteArrayList<>();
  private Mesh mesh;
  private WebClient client;

  @BeforeEach
  void start() throws Exception {
    server.start(InetAddress.getLoopbackAddress(), 0);
    mesh = Mesh.builder()
        .config(MeshConfig.fromMap(Map.of("services", Map.of("echo", Map.of(
            "max-concurrent-requests", 1,
            "rate-limit", Map.of("rate", "1/m", "burst", "5"))))))
        .discovery("static", StaticServiceDiscovery.builder()
            .instance("echo", "http://127.0.0.1:" + server.getPort()).build())
        .callListenerFactory((service, request) -> new CallListener() {
          @Override
          public void onEnd(CallRecord record) {
            calls.add(record);
          }
        })
        .build();
    client = WebClient.builder().baseUrl("http://echo").clientConnector(new MeshClientHttpConnector(mesh))
        .filter(new MeshRefusalFilter()).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    server.close();
  }

  @Test
  void headersBodiesAndStatusCrossThroughTheMesh() throws Exception {
    server.enqueue(new MockResponse.Builder().code(201).addHeader("X-Reply", "yes").body("created").build());
    var response = client.post().uri("/items").contentType(MediaType.APPLICATION_JSON).header("end-user", "jason")
        .bodyValue("{\"a\":1}").retrieve().toEntity(String.class).block(Duration.ofSeconds(10));
    assertThat(response.getStatusCode().value()).isEqualTo(201);
    assertThat(response.getHeaders().getFirst("X-Reply")).isEqualTo("yes");
    assertThat(response.getBody()).isEqualTo("created");
    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertThat(request.getTarget()).isEqualTo("/items");
    assertThat(request.getHeaders().get("end-user")).isEqualTo("jason");
    assertThat(request.getHeaders().get("User-Agent")).startsWith("okhttp/");
    assertThat(request.getBody().utf8()).isEqualTo("{\"a\":1}");
  }

  @Test
  void aStreamedRequestBodyArrivesWhole() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    Flux<DataBuffer> body = Flux.range(0, 100).map(i -> DefaultDataBufferFactory.sharedInstance
        .wrap(("chunk " + i + ";").getBytes(StandardCharsets.UTF_8)));
    client.put().uri("/stream").body(body, DataBuffer.class).retrieve().toBodilessEntity()
        .block(Duration.ofSeconds(10));
    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertThat(request.getBody().utf8()).startsWith("chunk 0;chunk 1;").endsWith("chunk 99;");
  }

  /**
   * A streamed body whose publisher fails: the caller gets the publisher's own error (as with Reactor
   * Netty), the call counts as cancelled (the caller's failure, not the instance's), the slot is given back,
   * and nothing is thrown, uncaught, on OkHttp's dispatcher thread.
   */
  @Test
  void aRequestBodyThatFailsEndsTheCallWithItsErrorAndNothingUncaught() throws Exception {
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
    try {
      server.enqueue(new MockResponse.Builder().body("next").build());
      Flux<DataBuffer> body = Flux.concat(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(new byte[16])),
          Flux.error(new IllegalStateException("the body broke")));
      assertThatThrownBy(() -> client.put().uri("/stream").body(body, DataBuffer.class).retrieve()
          .toBodilessEntity().block(Duration.ofSeconds(10)))
          .isInstanceOf(WebClientRequestException.class)
          .cause().isInstanceOf(IllegalStateException.class).hasMessage("the body broke");
      assertThat(calls).singleElement().satisfies(call -> assertThat(call.outcome()).isEqualTo(CallOutcome.CANCELLED));
      assertThat(client.get().uri("/next").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
          .as("the slot (max-concurrent-requests: 1) is free again").isEqualTo("next");
      mesh.httpClient().dispatcher().executorService().shutdown(); // its threads end: any uncaught error is in
      assertThat(mesh.httpClient().dispatcher().executorService().awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(uncaught).isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }
  }

  @Test
  void aCancelledCallGivesBackItsConcurrencySlotAndKeepsItsRateLimitTokenSpent() throws Exception {
    server.enqueue(new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).body("late").build());
    server.enqueue(new MockResponse.Builder().body("next").build());
    Disposable call = client.get().uri("/slow").retrieve().bodyToMono(String.class).subscribe();
    server.takeRequest(5, TimeUnit.SECONDS); // the request is at the server: admitted, slot taken
    assertThat(echo().inFlight()).isEqualTo(1);
    assertThat(echo().rateLimit().headroom()).isEqualTo(4);

    call.dispose();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (echo().inFlight() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(echo().inFlight()).as("in-flight after the cancel").isZero();
    assertThat(echo().rateLimit().headroom()).as("the spent token stays spent").isEqualTo(4);
    assertThat(client.get().uri("/next").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
        .as("the slot (max-concurrent-requests: 1) is free again").isEqualTo("next");
  }

  @Test
  void aRefusalIsCaughtByTypeNotAsWebClientRequestException() {
    for (int i = 0; i < 5; i++) {
      server.enqueue(new MockResponse.Builder().body("ok").build());
      client.get().uri("/").retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
    }
    assertThatThrownBy(() -> client.get().uri("/").retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
        .isInstanceOf(MeshRefusedException.RateLimitExceeded.class)
        .isNotInstanceOf(WebClientRequestException.class)
        .hasCauseInstanceOf(RateLimitExceededException.class)
        .hasMessage("rate limit 'echo' of service 'echo' exceeded");
    assertThat(server.getRequestCount()).isEqualTo(5);
  }

  private MeshSnapshot.ServiceState echo() {
    return mesh.snapshot().services().get("echo");
  }
}
