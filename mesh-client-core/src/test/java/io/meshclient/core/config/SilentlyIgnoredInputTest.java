package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input that used to be accepted and then ignored, or refused under a key no one wrote: each is now
 * refused at load naming what was written.
 */
class SilentlyIgnoredInputTest {
  @TempDir
  Path dir;

  @Test
  void anOptionGivenToABalancerThatTakesNoneIsRefusedNotIgnored() {
    for (String balancer : new String[] {"random", "round-robin", "least-request", "weighted-round-robin"}) {
      assertThatThrownBy(() -> Mesh.builder().config(MeshConfig.fromYaml("""
          mesh:
            services:
              reviews: { load-balancer: { name: %s, hash-header: x-user } }
          """.formatted(balancer), name -> null)).discovery("memory", new InMemoryDiscovery()).build().close())
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("mesh.services.reviews.load-balancer.hash-header: unknown option "
              + "(expected: no options for this balancer)");
    }
  }

  @Test
  void anIstioBlockInAMeshYamlIsRefusedInsteadOfLeavingTheServicesWithoutItsRoutes() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), """
        mesh:
          services: { reviews: {} }
          istio: { files: [istio/], strict: true }
        """);
    String expected = "mesh.istio: {files=[istio/], strict=true} (expected: no istio block in a mesh.yaml: "
        + "mesh.istio.* is read from Spring Boot's properties only; without Spring, give the files to "
        + "Mesh.builder().istioConfig(...) and their options to istioOptions(...))";
    assertThatThrownBy(() -> MeshConfig.load(file)).hasMessage(expected);
    assertThatThrownBy(() -> Mesh.builder().watchConfigFile(file).build().close()).hasMessage(expected);
    assertThatThrownBy(() -> MeshConfig.fromYaml(Files.readString(file), name -> null)).hasMessage(expected);
    assertThatThrownBy(() -> MeshConfig.fromFileContent(file, Files.readString(file).getBytes(StandardCharsets.UTF_8)))
        .hasMessage(expected);
  }

  @Test
  void aBlockWrittenNextToMeshInsteadOfUnderItIsNamedAsWritten() {
    assertThatThrownBy(() -> MeshConfig.fromYaml("""
        mesh:
          discovery: {}
        services:
          reviews: { timeout: 2s }
        spring: { application: { name: x } }
        """, name -> null))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "services: a key next to mesh (expected: only mesh at the top level; indent it under mesh)",
            "spring: a key next to mesh (expected: only mesh at the top level; mesh keys go under mesh)"));
  }

  @Test
  void theIstioKeysStillReachTheStarterThroughFromMap() {
    assertThat(MeshConfig.fromMap(java.util.Map.of("services", java.util.Map.of("reviews", java.util.Map.of()),
        "istio", java.util.Map.of("files", "istio/"))).services()).containsKey("reviews");
  }
  @Test
  void aServiceWrittenWithNothingUnderItIsAServiceWithEveryDefaultNotDropped() {
    // `reviews:` alone is null in YAML and an empty string from Spring's application.yml; it was dropped, so
    // the service the newcomer declared was not one (calls to it refused as an unknown host).
    MeshConfig config = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
            ratings: ""
            details: {}
        """, name -> null);
    assertThat(config.services()).containsOnlyKeys("reviews", "ratings", "details");
    assertThat(config.service("reviews"))
        .isEqualTo(MeshConfig.fromYaml("mesh: { services: { reviews: {} } }", name -> null).service("reviews"));
  }
}
