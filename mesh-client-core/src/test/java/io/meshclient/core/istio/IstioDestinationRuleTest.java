package io.meshclient.core.istio;

import static io.meshclient.core.istio.IstioRoutingTest.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DestinationRule traffic policies on real servers on 127.0.0.1, counted at the servers: gateway-error
 * ejection, locality failover, slow start and per-subset balancers.
 */
@Timeout(60)
class IstioDestinationRuleTest extends LoopbackIstioTest {
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

  /** Three reviews instances v1..v3 behind round robin; v3 answers {@code status}. */
  private InMemoryDiscovery threeReviews(int status) throws IOException {
    LoopbackServer v1 = server("v1");
    LoopbackServer v2 = server("v2");
    LoopbackServer v3 = server("v3").status(status);
    return new InMemoryDiscovery().set("reviews", List.of(v1.instance("reviews", Map.of("version", "v1")),
        v2.instance("reviews", Map.of("version", "v2")), v3.instance("reviews", Map.of("version", "v3"))));
  }

  /** Makes {@code calls} calls and returns how many were answered with {@code status}. */
  static int count(Mesh mesh, int calls, int status) throws IOException {
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

  /**
   * The deprecated consecutiveErrors is ignored, as pilot ignores it (its validation warns): Envoy's default of 5
   * consecutive 5xx stays in force. The mesh once read it as that count, ejecting after 1 where Istio waits for 5.
   */
  @Test
  void consecutiveErrorsIsIgnoredAsIstioIgnoresIt() throws Exception {
    InMemoryDiscovery discovery = threeReviews(503);
    try (Mesh mesh = Mesh.builder().istioConfig(file(outliers("consecutiveErrors: 1")))
        .discovery("memory", discovery).build()) {
      assertThat(count(mesh, 30, 503)).as("ejected after Envoy's 5 consecutive 5xx, not after 1").isEqualTo(5);
      assertThat(mesh.istioReport().ignored()).singleElement().asString()
          .startsWith("DestinationRule default/reviews (")
          .endsWith("spec.trafficPolicy.outlierDetection.consecutiveErrors, as Istio ignores it (Istio: \"outlier "
              + "detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors "
              + "instead\")");
    }
  }

  private static final String LOCALITY_RULE = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: { name: reviews }
      spec:
        host: reviews
        trafficPolicy:
          loadBalancer:
            localityLbSetting:
              enabled: true
              failover: [{ from: r1, to: r3 }, { from: r2, to: r1 }]
          outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1m, maxEjectionPercent: 100 }
      """ + ROUND_ROBIN_NO_RETRIES;

  static ServiceInstance zoned(LoopbackServer server, String zone, String region) {
    return zoned(server, zone, region, Map.of());
  }

  /** An instance of reviews on {@code server} in {@code zone} of {@code region}, with these labels too. */
  static ServiceInstance zoned(LoopbackServer server, String zone, String region, Map<String, String> labels) {
    Map<String, String> metadata = new java.util.HashMap<>(labels);
    metadata.put("region", region);
    return ServiceInstance.builder("reviews", "127.0.0.1", server.port()).id("reviews-" + server.name).zone(zone)
        .metadata(metadata).build();
  }

  /**
   * Sends {@code calls} calls (with these header names and values) and checks that {@code expected} answered
   * each of them with 200.
   */
  static void send(Mesh mesh, int calls, LoopbackServer expected, String... headers) throws IOException {
    int before = expected.requests.get();
    for (int i = 0; i < calls; i++) {
      try (Response r = get(mesh, "http://reviews/r", headers)) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.header("x-backend")).isEqualTo(expected.name);
      }
    }
    assertThat(expected.requests.get() - before).isEqualTo(calls);
  }

  @Test
  void localityLbSettingKeepsCallsInTheCallersZoneThenFailsOverToItsRegionThenTheFailoverRegion() throws Exception {
    LoopbackServer local = server("z-a");
    LoopbackServer sameRegion = server("z-b");
    LoopbackServer otherRegion = server("z-c");
    LoopbackServer failoverRegion = server("z-d");
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(zoned(local, "z-a", "r1"),
        zoned(sameRegion, "z-b", "r1"), zoned(otherRegion, "z-c", "r2"), zoned(failoverRegion, "z-d", "r3")));
    MeshConfig base = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              locality: { zone: z-a, region: r1 }
        """, n -> null);
    try (Mesh mesh = Mesh.builder().config(base).istioConfig(file(LOCALITY_RULE)).discovery("memory", discovery)
        .build()) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      assertThat(mesh.config().service("reviews").locality().failoverRegions()).isEqualTo(Map.of("r1", "r3",
          "r2", "r1"));
      send(mesh, 20, local);
      local.status(503);
      assertThat(count(mesh, 1, 503)).isEqualTo(1);
      send(mesh, 20, sameRegion);
      sameRegion.status(503);
      assertThat(count(mesh, 1, 503)).isEqualTo(1);
      send(mesh, 20, failoverRegion);
      assertThat(otherRegion.requests.get()).as("r2 comes after the failover region r3").isZero();
    }
  }

  @Test
  void localityFailoverWithoutTheCallersRegionIsRefusedNamingTheRule() throws Exception {
    InMemoryDiscovery discovery = threeReviews(200).callerZone("z-a");
    Path file = file(LOCALITY_RULE);
    assertThatThrownBy(() -> Mesh.builder().istioConfig(file).discovery("memory", discovery).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(file + ": DestinationRule default/reviews: spec.trafficPolicy.loadBalancer"
            + ".localityLbSetting.failover: set without the caller's region (expected: mesh.services.reviews.locality"
            + ".region naming the caller's region, which failover's from regions are matched against)");
  }

  @Test
  void localityLbSettingDisabledTurnsMeshYamlLocalityOff() throws Exception {
    InMemoryDiscovery discovery = threeReviews(200);
    MeshConfig base = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              locality: { zone: z-a, region: r1 }
        """, n -> null);
    try (Mesh mesh = Mesh.builder().config(base).istioConfig(file("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          trafficPolicy: { loadBalancer: { localityLbSetting: { enabled: false, failoverPriority: [a] } } }
        """)).discovery("memory", discovery).build()) {
      assertThat(mesh.config().service("reviews").locality()).isNull();
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      assertThat(count(mesh, 30, 200)).isEqualTo(30);
    }
  }

  @Test
  void aSubsetsLoadBalancerAppliesToCallsRoutedToThatSubsetOnly() throws Exception {
    LoopbackServer v1a = server("v1a");
    LoopbackServer v1b = server("v1b");
    LoopbackServer v2a = server("v2a");
    LoopbackServer v2b = server("v2b");
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        v1a.instance("reviews", Map.of("version", "v1")), v1b.instance("reviews", Map.of("version", "v1")),
        v2a.instance("reviews", Map.of("version", "v2")), v2b.instance("reviews", Map.of("version", "v2"))));
    try (Mesh mesh = Mesh.builder().istioConfig(file("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          trafficPolicy: { loadBalancer: { simple: ROUND_ROBIN } }
          subsets:
            - name: v1
              labels: { version: v1 }
              trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: x-user } } }
            - { name: v2, labels: { version: v2 } }
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ headers: { x-to: { exact: v1 } } }]
              route: [{ destination: { host: reviews, subset: v1 } }]
            - route: [{ destination: { host: reviews, subset: v2 } }]
        """)).discovery("memory", discovery).build()) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      assertThat(mesh.config().service("reviews").subsetPolicies().get("v1").loadBalancer().name())
          .isEqualTo("ring-hash");
      for (int i = 0; i < 20; i++) {
        try (Response v1 = get(mesh, "http://reviews/r", "x-to", "v1", "x-user", "jason");
            Response v2 = get(mesh, "http://reviews/r", "x-user", "jason")) {
          assertThat(v1.code()).isEqualTo(200);
          assertThat(v2.code()).isEqualTo(200);
        }
      }
      assertThat(List.of(v1a.requests.get(), v1b.requests.get())).as("v1 hashes x-user: one instance")
          .containsExactlyInAnyOrder(20, 0);
      assertThat(List.of(v2a.requests.get(), v2b.requests.get())).as("v2 keeps the rule's round robin")
          .containsExactly(10, 10);
    }
  }

  @Test
  void meshYamlSubsetPoliciesMustNameASubset() {
    assertThatThrownBy(() -> MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 } }
              subset-policies: { v1: { load-balancer: round-robin }, v9: { load-balancer: random } }
        """, n -> null)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v9: set (expected: a subset of "
            + "mesh.services.reviews.subsets [v1])");
    MeshConfig ok = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 } }
              subset-policies: { v1: { load-balancer: { name: ring-hash, hash-header: x-user } } }
        """, n -> null);
    assertThat(ok.service("reviews").subsetPolicies().get("v1").loadBalancer().options())
        .isEqualTo(Map.of("hash-header", "x-user"));
  }

  @Test
  void warmupDurationSecsRampsANewInstanceUpOverTheWindow() throws Exception {
    LoopbackServer old = server("old");
    LoopbackServer added = server("added");
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(old.instance("reviews", Map.of())));
    FakeTicker ticker = new FakeTicker();
    try (Mesh mesh = Mesh.builder().istioConfig(file("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          trafficPolicy: { loadBalancer: { simple: ROUND_ROBIN, warmupDurationSecs: 10s } }
        """)).discovery("memory", discovery).ticker(ticker).build()) {
      assertThat(mesh.config().service("reviews").slowStart().window()).hasSeconds(10);
      assertThat(count(mesh, 1, 200)).isEqualTo(1);
      discovery.set("reviews", List.of(old.instance("reviews", Map.of()), added.instance("reviews", Map.of())));
      assertThat(count(mesh, 200, 200)).isEqualTo(200);
      int cold = added.requests.get();
      ticker.advance(Duration.ofSeconds(10));
      assertThat(count(mesh, 200, 200)).isEqualTo(200);
      int warm = added.requests.get() - cold;
      System.out.printf("warmupDurationSecs: new instance took %d of 200 at once, %d of 200 after the window%n",
          cold, warm);
      assertThat(cold).as("10% of its weight at first: about 9% of the calls").isBetween(5, 40);
      assertThat(warm).as("its full weight after 10s").isBetween(80, 120);
    }
  }

  /**
   * Istio takes an httpCookie without ttl since 1.20 (istio/istio#46973, "relax ttl validation to allow passive
   * cookies"): Envoy hashes the cookie the caller sends. The mesh takes it too and keeps each caller on one instance.
   */
  @Test
  void aHashCookieWithoutTtlIsTakenAsIstioTakesItAndKeepsEachCallerOnOneInstance() throws Exception {
    InMemoryDiscovery discovery = threeReviews(200);
    try (Mesh mesh = Mesh.builder().istioConfig(file("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: user } } } }
        """ + ROUND_ROBIN_NO_RETRIES)).discovery("memory", discovery).build()) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      java.util.Set<String> reached = new java.util.HashSet<>();
      for (int user = 0; user < 20; user++) {
        java.util.Set<String> bodies = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) {
          try (Response r = get(mesh, "http://reviews/r", "Cookie", "user=u" + user)) {
            bodies.add(r.body().string());
          }
        }
        assertThat(bodies).as("user u" + user).hasSize(1);
        reached.addAll(bodies);
      }
      assertThat(reached).as("the users spread over the instances").hasSizeGreaterThan(1);
    }
  }
}
