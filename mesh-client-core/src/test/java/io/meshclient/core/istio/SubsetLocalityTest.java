package io.meshclient.core.istio;

import static io.meshclient.core.istio.IstioDestinationRuleTest.send;
import static io.meshclient.core.istio.IstioDestinationRuleTest.zoned;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.SubsetPolicyConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subset's own zone-aware routing (a DestinationRule subset's {@code loadBalancer.localityLbSetting}, mesh.yaml
 * {@code subset-policies.<subset>.locality}) on servers on 127.0.0.1 in four zones of three regions: the
 * subset's calls follow its own levels, the other calls the service's (or none).
 */
@Timeout(60)
class SubsetLocalityTest extends LoopbackIstioTest {
  private LoopbackServer local;
  private LoopbackServer sameRegion;
  private LoopbackServer otherRegion;
  private LoopbackServer failoverRegion;

  /** v2 in zones z-a, z-b (region r1), z-c (r2), z-d (r3); v1 in z-a and z-c. */
  private InMemoryDiscovery fourZones(LoopbackServer v1Local, LoopbackServer v1Remote) throws IOException {
    local = server("z-a");
    sameRegion = server("z-b");
    otherRegion = server("z-c");
    failoverRegion = server("z-d");
    Map<String, String> v2 = Map.of("version", "v2");
    return new InMemoryDiscovery().set("reviews", List.of(zoned(local, "z-a", "r1", v2),
        zoned(sameRegion, "z-b", "r1", v2), zoned(otherRegion, "z-c", "r2", v2), zoned(failoverRegion, "z-d", "r3", v2),
        zoned(v1Local, "z-a", "r1", Map.of("version", "v1")), zoned(v1Remote, "z-c", "r2", Map.of("version", "v1"))));
  }

  /** v2's calls stay in z-a, then fail over to z-b, then to the failover region r3, never to r2. */
  private void v2FailsOverByItsOwnLevels(Mesh mesh) throws IOException {
    send(mesh, 20, local);
    local.status(503);
    try (Response r = IstioRoutingTest.get(mesh, "http://reviews/r")) {
      assertThat(r.code()).isEqualTo(503);
    }
    send(mesh, 20, sameRegion);
    sameRegion.status(503);
    try (Response r = IstioRoutingTest.get(mesh, "http://reviews/r")) {
      assertThat(r.code()).isEqualTo(503);
    }
    send(mesh, 20, failoverRegion);
    assertThat(otherRegion.requests.get()).as("r2 comes after the failover region r3").isZero();
  }

  /** v1's calls (header x-to: v1) round-robin across both zones: no zone-aware routing for them. */
  private static void v1IgnoresZones(Mesh mesh, LoopbackServer v1Local, LoopbackServer v1Remote) throws IOException {
    for (int i = 0; i < 20; i++) {
      try (Response r = IstioRoutingTest.get(mesh, "http://reviews/r", "x-to", "v1")) {
        assertThat(r.code()).isEqualTo(200);
      }
    }
    assertThat(List.of(v1Local.requests.get(), v1Remote.requests.get())).containsExactly(10, 10);
  }

  private static final String ROUTES = """
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: { name: reviews }
      spec:
        hosts: [reviews]
        http:
          - match: [{ headers: { x-to: { exact: v1 } } }]
            route: [{ destination: { host: reviews, subset: v1 } }]
            retries: { attempts: 0 }
          - route: [{ destination: { host: reviews, subset: v2 } }]
            retries: { attempts: 0 }
      """;

  @Test
  void aSubsetsLocalityLbSettingFailsOverWhileTheServiceHasNone() throws Exception {
    LoopbackServer v1Local = server("v1-z-a");
    LoopbackServer v1Remote = server("v1-z-c");
    InMemoryDiscovery discovery = fourZones(v1Local, v1Remote);
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
          trafficPolicy: { loadBalancer: { simple: ROUND_ROBIN, localityLbSetting: { enabled: false } } }
          subsets:
            - { name: v1, labels: { version: v1 } }
            - name: v2
              labels: { version: v2 }
              trafficPolicy:
                loadBalancer: { localityLbSetting: { failover: [{ from: r1, to: r3 }] } }
                outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1m, maxEjectionPercent: 100 }
        """ + ROUTES)).discovery("memory", discovery).build()) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      assertThat(mesh.config().service("reviews").locality()).as("the service's turned off").isNull();
      assertThat(mesh.config().service("reviews").subsetPolicies().get("v2").locality().failoverRegions())
          .isEqualTo(Map.of("r1", "r3"));
      v1IgnoresZones(mesh, v1Local, v1Remote);
      v2FailsOverByItsOwnLevels(mesh);
    }
  }

  @Test
  void aSubsetsLocalityLbSettingDisabledTurnsTheServicesOffForItsCallsOnly() throws Exception {
    LoopbackServer v1Local = server("v1-z-a");
    LoopbackServer v1Remote = server("v1-z-c");
    InMemoryDiscovery discovery = fourZones(v1Local, v1Remote);
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
          trafficPolicy:
            loadBalancer: { simple: ROUND_ROBIN, localityLbSetting: { failover: [{ from: r1, to: r3 }] } }
            outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1m, maxEjectionPercent: 100 }
          subsets:
            - name: v1
              labels: { version: v1 }
              trafficPolicy: { loadBalancer: { localityLbSetting: { enabled: false } } }
            - { name: v2, labels: { version: v2 } }
        """ + ROUTES)).discovery("memory", discovery).build()) {
      assertThat(mesh.config().service("reviews").subsetPolicies().get("v1").locality())
          .isEqualTo(SubsetPolicyConfig.LOCALITY_OFF);
      v1IgnoresZones(mesh, v1Local, v1Remote);
      v2FailsOverByItsOwnLevels(mesh);
    }
  }

  @Test
  void meshYamlSubsetPoliciesGiveASubsetItsOwnLocalityOrNone() throws Exception {
    LoopbackServer v1Local = server("v1-z-a");
    LoopbackServer v1Remote = server("v1-z-c");
    InMemoryDiscovery discovery = fourZones(v1Local, v1Remote).callerZone("z-a");
    MeshConfig config = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              load-balancer: round-robin
              retry: { attempts: 1 }
              outlier-detection: { consecutive-failures: 1, base-ejection: 1m, max-ejected: 100% }
              locality: { region: r1, failover-regions: { r1: r3 } }
              subsets: { v1: { version: v1 }, v2: { version: v2 } }
              subset-policies:
                v1: { locality: { enabled: false } }
                v2: { locality: { region: r1, failover: [z-b], failover-regions: { r1: r3 } } }
              routes:
                - match: { headers: { x-to: { exact: v1 } } }
                  to: v1
                - to: v2
        """, n -> null);
    try (Mesh mesh = Mesh.builder().config(config).discovery("memory", discovery).build()) {
      assertThat(mesh.config().service("reviews").subsetPolicies().get("v2").locality().zone())
          .as("the discovery's caller zone, filled in when the mesh builds").isEmpty();
      v1IgnoresZones(mesh, v1Local, v1Remote);
      v2FailsOverByItsOwnLevels(mesh);
    }
  }
}
