package io.meshclient.core.istio;

import static io.meshclient.core.istio.IstioRoutingTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DestinationRule traffic policies on real servers on 127.0.0.1, counted at the servers: gateway-error
 * ejection, locality failover and per-subset policies.
 */
@Timeout(60)
class IstioDestinationRuleTest {
  private static final String ROUND_ROBIN_NO_RETRIES = """
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: { name: reviews }
      spec:
        hosts: [reviews]
        http:
          - route: [{ destination: { host: reviews } }]
            retries: { attempts: 0 }
      """;

  @TempDir
  Path dir;
  private final List<LoopbackServer> servers = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(LoopbackServer::close);
  }

  private LoopbackServer server(String name) throws IOException {
    LoopbackServer s = new LoopbackServer(name);
    servers.add(s);
    return s;
  }

  private Path file(String yaml) throws IOException {
    Path file = dir.resolve("istio.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  /** Three reviews instances v1..v3 behind round robin; v3 answers {@code status}. */
  private InMemoryDiscovery threeReviews(int status) throws IOException {
    LoopbackServer v1 = server("v1");
    LoopbackServer v2 = server("v2");
    LoopbackServer v3 = server("v3").status(status);
    return new InMemoryDiscovery().set("reviews", List.of(v1.instance("reviews", Map.of("version", "v1")),
        v2.instance("reviews", Map.of("version", "v2")), v3.instance("reviews", Map.of("version", "v3"))));
  }

  /** Makes {@code calls} calls and returns how many were answered with {@code status}. */
  private static int count(Mesh mesh, int calls, int status) throws IOException {
    int n = 0;
    for (int i = 0; i < calls; i++) {
      try (Response r = get(mesh, "http://reviews/r")) {
        n += r.code() == status ? 1 : 0;
      }
    }
    return n;
  }

  private static String outliers(String fields) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer: { simple: ROUND_ROBIN }
            outlierDetection: { %s, baseEjectionTime: 1m, maxEjectionPercent: 34 }
        """.formatted(fields) + ROUND_ROBIN_NO_RETRIES;
  }

  @Test
  void consecutiveGatewayErrorsEjectAnInstanceAnswering503() throws Exception {
    InMemoryDiscovery discovery = threeReviews(503);
    try (Mesh mesh = Mesh.builder().istioConfig(file(outliers("consecutiveGatewayErrors: 2")))
        .discovery("memory", discovery).build()) {
      assertThat(count(mesh, 30, 503)).as("ejected after 2 gateway errors, before the 5 consecutive 5xx").isEqualTo(2);
      assertThat(mesh.config().service("reviews").outlierDetection().consecutiveGatewayErrors()).isEqualTo(2);
      assertThat(mesh.istioReport().unsupported()).isEmpty();
    }
  }

  @Test
  void consecutiveGatewayErrorsAloneNeverEjectAnInstanceAnswering500() throws Exception {
    InMemoryDiscovery discovery = threeReviews(500);
    try (Mesh mesh = Mesh.builder()
        .istioConfig(file(outliers("consecutive5xxErrors: 0, consecutiveGatewayErrors: 2")))
        .discovery("memory", discovery).build()) {
      assertThat(count(mesh, 30, 500)).as("a 500 is not a gateway error: v3 keeps its share").isEqualTo(10);
    }
  }

  @Test
  void fiveHundredsStillCountTowardsIstiosDefaultOfFiveConsecutive5xx() throws Exception {
    InMemoryDiscovery discovery = threeReviews(500);
    try (Mesh mesh = Mesh.builder().istioConfig(file(outliers("consecutiveGatewayErrors: 2")))
        .discovery("memory", discovery).build()) {
      assertThat(count(mesh, 30, 500)).as("consecutive5xxErrors left out is 5, as in Envoy").isEqualTo(5);
    }
  }
}
