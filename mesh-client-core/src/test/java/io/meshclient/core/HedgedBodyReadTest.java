package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.core.config.MeshConfig;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-try timeout bounds each wait for response bytes ({@code retry.per-try-timeout}'s contract), on a
 * hedged route as on any other: a body that keeps arriving is read whole, however long it takes in all.
 */
@Timeout(30)
class HedgedBodyReadTest {
  private static final String CONFIG = """
      mesh:
        services:
          api: { retry: { attempts: 1, per-try-timeout: 400ms }, routes: [ { to: { service: api }, ROUTE } ] }
      """;

  /** Answers at once, then sends its body a byte every 100ms for 1.2s: never quiet for 400ms, 1.2s in all. */
  private static HostilePeer tricklingPeer() throws java.io.IOException {
    return new HostilePeer((socket, head) -> {
      HostilePeer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
      for (int i = 0; i < 12; i++) {
        Thread.sleep(100);
        HostilePeer.write(socket, "x");
      }
    });
  }

  private static String read(String route) throws Exception {
    return read(route, tricklingPeer());
  }

  private static String read(String route, HostilePeer peer) throws Exception {
    try (peer;
        Mesh mesh = Mesh.builder().config(MeshConfig.fromYaml(CONFIG.replace("ROUTE", route), name -> null))
            .discovery("memory", new InMemoryDiscovery().set("api", List.of(peer.instance("api", "p", Map.of()))))
            .build();
        Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
      return response.body().string();
    }
  }

  @Test
  void aTricklingBodyIsReadWholeOnARouteWithoutHedging() throws Exception {
    assertThat(read("name: plain")).isEqualTo("x".repeat(12));
  }

  @Test
  void aTricklingBodyIsReadWholeOnAHedgedRouteToo() throws Exception {
    assertThat(read("hedge: { after: 200ms }")).isEqualTo("x".repeat(12));
  }

  @Test
  void aHedgedAttemptToAPeerThatNeverAnswersStillEndsAtThePerTryTimeout() throws Exception {
    long start = System.nanoTime();
    assertThatThrownBy(() -> read("hedge: { after: 200ms }", new HostilePeer((socket, head) -> Thread.sleep(10_000))))
        .isInstanceOf(java.net.SocketTimeoutException.class); // "timeout" or "Read timed out": OkHttp's, either way
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(3));
  }

  /**
   * "When a call could be retried, a response body with a known length up to 64 KiB is read inside the attempt":
   * on a hedged route too. The body cut short on the first connection failed the caller's read, unretried.
   */
  @Test
  void aSmallBodyCutShortIsRetriedOnAHedgedRouteAsOnAnyOther() throws Exception {
    java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    HostilePeer peer = new HostilePeer((socket, head) -> HostilePeer.write(socket, connections.incrementAndGet() == 1
        ? "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab" : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    String config = CONFIG.replace("attempts: 1", "attempts: 2, on: [reset]").replace("ROUTE", "hedge: { after: 300ms }");
    try (peer;
        Mesh mesh = Mesh.builder().config(MeshConfig.fromYaml(config, name -> null))
            .discovery("memory", new InMemoryDiscovery().set("api", List.of(peer.instance("api", "p", Map.of()))))
            .build();
        Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("ok");
    }
    assertThat(connections).hasValue(2);
  }
}
