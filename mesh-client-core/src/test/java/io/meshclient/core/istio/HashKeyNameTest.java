package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ring-hash on a header or cookie name no request can carry ({@code "x user"}, a line break) was accepted: every call
 * found no key and was sent to a random instance, so the affinity asked for was silently lost. The name is refused
 * where it was written, in mesh.yaml or in a DestinationRule.
 */
@Timeout(60)
class HashKeyNameTest extends LoopbackIstioTest {
  private final InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
      ServiceInstance.builder("reviews", "127.0.0.1", 1).metadata(Map.of("version", "v1")).build()));

  @Test
  void aHashHeaderOrCookieThatIsNoTokenIsRefusedInMeshYaml() {
    MeshConfig config = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              load-balancer: { name: ring-hash, hash-header: "x user" }
        """, name -> null);
    assertThatThrownBy(() -> Mesh.builder().config(config).discovery("memory", discovery).build())
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.load-balancer.hash-header: x user (expected: a header name (RFC 9110 token))"));
    MeshConfig cookie = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 } }
              subset-policies:
                v1: { load-balancer: { name: ring-hash, hash-cookie: "a\\r\\nb" } }
        """, name -> null);
    assertThatThrownBy(() -> Mesh.builder().config(cookie).discovery("memory", discovery).build())
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.subset-policies.v1.load-balancer.hash-cookie: a\\r\\nb (expected: a cookie name "
                + "(RFC 9110 token))"));
  }

  @Test
  void aHashHeaderThatIsNoTokenIsRefusedAtTheDestinationRulesField() throws Exception {
    Path file = file("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: "x user" } } }
        """);
    assertThatThrownBy(() -> Mesh.builder().istioConfig(file).discovery("memory", discovery).build())
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            file + ": DestinationRule default/reviews: spec.trafficPolicy.loadBalancer.consistentHash.httpHeaderName: "
                + "x user (expected: a header name (RFC 9110 token))"));
  }
}
