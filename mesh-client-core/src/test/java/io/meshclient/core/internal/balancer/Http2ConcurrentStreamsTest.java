package io.meshclient.core.internal.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshInternals;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.http2.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An HTTP/2 (h2c) instance that allows one stream per connection (SETTINGS_MAX_CONCURRENT_STREAMS = 1): calls
 * in flight together each get a connection of their own, as OkHttp opens one when a connection is full, and the
 * least-request balancer counts each call once in flight whatever connection it shares, back to zero after.
 */
@Timeout(30)
class Http2ConcurrentStreamsTest {
  private static final List<Protocol> H2C = List.of(Protocol.H2_PRIOR_KNOWLEDGE);
  private final MockWebServer server = new MockWebServer();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void callsInFlightTogetherKeepToTheServersStreamLimitAndAreCountedOnceEach() throws Exception {
    server.setProtocols(H2C);
    server.start();
    // MockWebServer sends its SETTINGS as it begins each response (before the headers' delay), not in its
    // preface: a client learns a connection's limit once the server began answering a stream on it.
    Settings oneStream = new Settings().set(Settings.MAX_CONCURRENT_STREAMS, 1);
    server.enqueue(new MockResponse.Builder().settings(oneStream).body("first").build());
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().settings(oneStream).body("slow")
          .headersDelay(1000, TimeUnit.MILLISECONDS).build());
    }
    // Two instances (the balancer keeps no statistics for one), both this server: they share its connections.
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(
        new ServiceInstance("a", "api", "127.0.0.1", server.getPort(), false, 1, Map.of(), ""),
        new ServiceInstance("b", "api", "127.0.0.1", server.getPort(), false, 1, Map.of(), "")));
    try (Mesh mesh = Mesh.builder().okHttpClient(new OkHttpClient.Builder().protocols(H2C).build())
        .discovery("memory", discovery).config(MeshConfig.fromYaml("""
            mesh:
              services:
                api:
                  load-balancer: least-request
                """, name -> null)).build()) {
      StatefulBalancer balancer = (StatefulBalancer) MeshInternals.runtime(mesh).service("api").all().balancer();
      assertThat(get(mesh, "/first")).isEqualTo("first");
      assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(0);

      List<CompletableFuture<String>> slow = new ArrayList<>();
      Set<Integer> connections = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        slow.add(CompletableFuture.supplyAsync(() -> get(mesh, "/slow")));
        connections.add(server.takeRequest().getConnectionIndex());
        Thread.sleep(100); // the server's SETTINGS for that connection reach the client
      }
      assertThat(InFlightCounts.total(balancer)).as("in flight while the server holds them").isEqualTo(3);
      for (CompletableFuture<String> call : slow) {
        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
      }
      assertThat(connections).as("one stream per connection").containsExactlyInAnyOrder(0, 1, 2);
      assertThat(InFlightCounts.total(balancer)).isZero();
      assertThat(mesh.snapshot().services().get("api").inFlight()).isZero();
    }
  }

  private static String get(Mesh mesh, String path) {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api" + path).build())
        .execute()) {
      return response.body().string();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
