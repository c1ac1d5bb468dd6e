package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.CallOutcome;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.balancer.InFlightCounts;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken and hostile backends on a raw socket, each against a GET (retried: 3 attempts, on timeouts and
 * resets too) and a POST (never sent twice): what the caller gets, in how long, how often the request was
 * sent, what the mesh counted, and that nothing stays in flight or in the pool afterwards.
 */
@Timeout(60)
class HostileBackendTest {
  private static final String CONFIG = """
      mesh:
        services:
          api:
            load-balancer: least-request
            retry: { attempts: 3, per-try-timeout: 400ms, on: [connect-failure, reset, timeout, 503], budget: 100% }
      """;
  private static final String RETRIED_TIMEOUTS = "retry timeout, retry timeout, ";
  private static final String RETRIED_RESETS = "retry reset, retry reset, ";

  private static HostilePeer.Script writes(String text) {
    return (socket, head) -> HostilePeer.write(socket, text);
  }

  private static HostilePeer.Script writesThenStalls(String text) {
    return (socket, head) -> {
      HostilePeer.write(socket, text);
      Thread.sleep(8000);
    };
  }

  /** name, script, the caller's failure (null: a response whose body fails) and its message start, events. */
  static Stream<Arguments> peers() {
    return Stream.of(
        Arguments.of("accepts and never answers", writesThenStalls(""), SocketTimeoutException.class, "",
            RETRIED_TIMEOUTS, "0 TIMEOUT"),
        Arguments.of("answers 100-continue then nothing", writesThenStalls("HTTP/1.1 100 Continue\r\n\r\n"),
            SocketTimeoutException.class, "", RETRIED_TIMEOUTS, "0 TIMEOUT"),
        Arguments.of("sends a malformed status line", writes("HTTP/1.1 abc\r\n\r\n"), ProtocolException.class,
            "Unexpected status line: HTTP/1.1 abc", RETRIED_RESETS, "0 IO_ERROR"),
        Arguments.of("sends garbage", writes("garbage\r\n\r\n"), ProtocolException.class,
            "Unexpected status line: garbage", RETRIED_RESETS, "0 IO_ERROR"),
        Arguments.of("closes right after the request", writes(""), IOException.class, "unexpected end of stream on",
            RETRIED_RESETS, "0 IO_ERROR"),
        Arguments.of("sends headers over OkHttp's 256 KiB limit", writes("HTTP/1.1 200 OK\r\nX-Big: "
            + "a".repeat(300_000) + "\r\nContent-Length: 0\r\n\r\n"), IOException.class, "unexpected end of stream on",
            RETRIED_RESETS, "0 IO_ERROR"),
        Arguments.of("sends headers then stalls the body", writesThenStalls("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"),
            null, "", RETRIED_TIMEOUTS, "200 SUCCESS"),
        Arguments.of("sends a Content-Length longer than the body", writes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab"),
            null, "unexpected end of stream", RETRIED_RESETS, "200 SUCCESS"));
  }

  @ParameterizedTest(name = "a backend that {0}")
  @MethodSource("peers")
  void aGetIsRetriedAndAPostSentOnceAndNothingStaysCounted(String name, HostilePeer.Script script,
      Class<? extends IOException> failure, String message, String retries, String complete) throws Exception {
    assertThat(call("GET", script, failure, message)).isEqualTo("[" + retries + "complete " + complete + "]");
    assertThat(call("POST", script, failure, message)).isEqualTo("[complete " + complete + "]");
  }

  /** Calls the peer once; returns the mesh's events, after checking the rest. */
  private static String call(String method, HostilePeer.Script script, Class<? extends IOException> failure,
      String message) throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    try (HostilePeer peer = new HostilePeer(script);
        Mesh mesh = Mesh.builder().config(MeshConfig.fromYaml(CONFIG, name -> null)).listener(new MeshListener() {
          @Override
          public void onCallComplete(String service, String subset, String m, int status, CallOutcome outcome,
              long nanos) {
            events.add("complete " + status + " " + outcome);
          }

          @Override
          public void onRetry(String service, String reason) {
            events.add("retry " + reason);
          }
        }).discovery("memory", new InMemoryDiscovery().set("api", List.of(peer.instance("api", "p", Map.of()))))
            .build()) {
      Request.Builder request = new Request.Builder().url("http://api/x");
      if (method.equals("POST")) {
        request.post(RequestBody.create("hi", MediaType.get("text/plain")));
      }
      long start = System.nanoTime();
      IOException thrown = null;
      try (Response response = mesh.httpClient().newCall(request.build()).execute()) {
        assertThat(response.code()).isEqualTo(200);
        response.body().bytes();
      } catch (IOException e) {
        thrown = e;
      }
      // 3 attempts of 400 ms and two backoffs at most: far from the peer's 8 s stall
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
      assertThat(thrown).as(method).isInstanceOf(failure == null ? IOException.class : failure);
      assertThat(thrown.getMessage()).as(method).startsWith(message);
      assertThat(peer.connections.get()).as(method + " sent").isEqualTo(method.equals("GET") ? 3 : 1);
      assertThat(mesh.snapshot().services().get("api").inFlight()).isZero();
      assertThat(InFlightCounts.total(MeshInternals.runtime(mesh).service("api").all().balancer())).isZero();
      long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (mesh.httpClient().connectionPool().connectionCount() > 0 && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertThat(mesh.httpClient().connectionPool().connectionCount()).as("connections left").isZero();
      return events.toString();
    }
  }
}
