package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A locality zone or region with a line break or another control character was accepted: no instance's zone
 * has one, so zone-aware routing never found the caller's zone. Each is refused naming its key, from mesh.yaml,
 * from {@code MESH_ZONE}, or from the discovery.
 */
class LocalityControlCharactersTest {
  private static final String EXPECTED = " (expected: a zone or region name without control characters (CR, LF, "
      + "tab...): no instance's zone or region has one, so it would never match)";

  @Test
  void aZoneRegionOrFailoverZoneWithAControlCharacterIsRefusedNamingItsKey() {
    assertThatThrownBy(() -> ConfigValidationTest.yaml("""
        mesh:
          services:
            reviews:
              locality: { zone: "eu-west\\r\\n1a", region: "eu-west-1\\n", failover: [eu-west-1b, "eu\\twest-1c"],
                          failover-regions: { eu-west-1: "us\\u0000east-1" } }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.locality.zone: eu-west\\r\\n1a" + EXPECTED,
            "mesh.services.reviews.locality.region: eu-west-1\\n" + EXPECTED,
            "mesh.services.reviews.locality.failover[1]: eu\\twest-1c" + EXPECTED,
            "mesh.services.reviews.locality.failover-regions.eu-west-1: us\\u0000east-1" + EXPECTED));
  }

  /** {@code MESH_ZONE} comes from the environment, which the reader takes as a function here. */
  @Test
  void aMeshZoneWithAControlCharacterIsRefusedSayingWhereItCameFrom() {
    List<String> problems = new java.util.ArrayList<>();
    ConfigNode node = new ConfigNode("mesh.services.reviews.locality", Map.of("region", "eu-west-1"), problems);
    assertThat(TrafficShapingReader.locality(node, name -> name.equals("MESH_ZONE") ? "eu-west\r\nFORGED 1a" : null,
        null)).isNull();
    assertThat(problems).containsExactly("mesh.services.reviews.locality.zone: eu-west\\r\\nFORGED 1a (expected: a "
        + "zone or region name without control characters (CR, LF, tab...): no instance's zone or region has one, so "
        + "it would never match (from the MESH_ZONE environment variable))");
    assertThat(TrafficShapingReader.locality(node, name -> " eu-west-1a\n", null).zone()).isEqualTo("eu-west-1a");
  }

  @Test
  void aCallerZoneFromTheDiscoveryWithAControlCharacterIsRefused() throws Exception {
    MeshConfig config = ConfigValidationTest.yaml("""
        mesh:
          services:
            reviews: { locality: { region: eu-west-1 } }
        """);
    InMemoryDiscovery discovery = new InMemoryDiscovery().callerZone("eu-west\n1a").set("reviews", List.of(
        ServiceInstance.builder("reviews", "127.0.0.1", 1).metadata(Map.of("version", "v1")).build()));
    assertThatThrownBy(() -> Mesh.builder().config(config).discovery("memory", discovery).build())
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.locality.zone: eu-west\\n1a (expected: a zone name without control characters "
                + "(CR, LF, tab...), from the discovery's callerZone(): no instance's zone has one)"));
  }
}
