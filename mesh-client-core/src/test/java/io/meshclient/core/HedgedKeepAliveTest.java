package io.meshclient.core;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each call of a hedged route (its first call as well as a hedge) is sent as its own call on the mesh's client:
 * a pooled keep-alive connection the server closed while it was idle must be handled there as on the normal
 * attempt path (see {@link KeepAliveRetryTest}): sent again for free, not counted as a failure of the instance.
 */
@Timeout(60)
class HedgedKeepAliveTest {
  private final List<WireMockServer> servers = new ArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<String> ejected = new CopyOnWriteArrayList<>();

  /** A server answering its name, closing connections idle for {@code idleMillis}. */
  private WireMockServer server(String name, long idleMillis) {
    WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
        .jettyIdleTimeout(idleMillis));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody(name)));
    servers.add(server);
    return server;
  }

  @AfterEach
  void stop() {
    servers.forEach(WireMockServer::stop);
  }

  /** One failure ejects (up to every instance), no retry: a dead connection counted as a failure shows. */
  private Mesh mesh(String hedge, WireMockServer... instances) {
    List<ServiceInstance> list = new ArrayList<>();
    for (WireMockServer s : instances) {
      list.add(ServiceInstance.builder("api", "127.0.0.1", s.port()).id("port-" + s.port()).build());
    }
    return Mesh.builder().config(MeshConfig.fromYaml("""
        mesh:
          defaults: { connection-pool: { keep-alive: 5m } }
          services:
            api:
              load-balancer: round-robin
              timeout: 10s
              retry: { attempts: 1 }
              outlier-detection: { consecutive-failures: 1, max-ejected: 100% }
              routes:
                - name: warm # not hedged: a slow first call (a loaded machine) would hedge and upset the order
                  match: { path: { prefix: /warm } }
                  to: { service: api }
                - name: hedged
                  to: { service: api }
                  hedge: HEDGE
        """.replace("HEDGE", hedge), name -> null))
        .discovery("memory", new InMemoryDiscovery().set("api", list)).meterRegistry(meters)
        .listener(new MeshListener() {
          @Override
          public void onEjected(String service, String instanceId, long nanos) {
            ejected.add(instanceId);
          }
        }).build();
  }

  private static String get(Mesh mesh, String path) throws IOException {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api" + path).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.body().string();
    }
  }

  private double freeResends() {
    return meters.get("mesh.client.retries").tag("reason", "reused-connection-failed").counter().count();
  }

  @Test
  void theOnlyCallOfAHedgedAttemptOnADeadPooledConnectionIsSentAgainInsteadOfFailingTheCall() throws Exception {
    WireMockServer closing = server("closing", 1000);
    try (Mesh mesh = mesh("{ after: 5s }", closing)) {
      assertThat(get(mesh, "/warm")).isEqualTo("closing");
      Thread.sleep(2000); // the server has closed the pooled connection
      assertThat(mesh.httpClient().connectionPool().idleConnectionCount()).isEqualTo(1);
      assertThat(get(mesh, "/after-idle")).isEqualTo("closing");
      assertThat(ejected).isEmpty();
      assertThat(freeResends()).isEqualTo(1);
      assertThat(get(mesh, "/next")).isEqualTo("closing");
    }
  }

  @Test
  void aHedgeOnADeadPooledConnectionIsSentAgainAndItsInstanceIsNotEjected() throws Exception {
    WireMockServer kept = server("kept", 60_000);
    WireMockServer closing = server("closing", 1000);
    try (Mesh mesh = mesh("{ after: 100ms }", kept, closing)) {
      // Round-robin over two: warm both until the last call went to the closing one, so the next goes to the kept one.
      String last = get(mesh, "/warm");
      String before = get(mesh, "/warm");
      if (!before.equals("closing")) {
        last = before;
        before = get(mesh, "/warm");
      }
      assertThat(List.of(last, before)).containsExactly("kept", "closing");
      Thread.sleep(2000); // the closing server has closed its pooled connection, the kept one has not
      kept.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("kept").withFixedDelay(3000)));
      // The first call waits on the kept server; the hedge goes to the closing one, on its dead connection.
      assertThat(get(mesh, "/hedged")).isEqualTo("closing");
      assertThat(ejected).isEmpty();
      assertThat(freeResends()).isEqualTo(1);
      assertThat(meters.get("mesh.client.hedges").counter().count()).isEqualTo(1);
    }
  }
}
