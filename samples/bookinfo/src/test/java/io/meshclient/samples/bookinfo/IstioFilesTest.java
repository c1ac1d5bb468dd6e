package io.meshclient.samples.bookinfo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sample's Istio-format files load as Istio would apply them, and report nothing unsupported. */
class IstioFilesTest {
  private static final Path DIR = Path.of("istio");
  private static final MeshConfig INSTANCES = MeshConfig.fromYaml("""
      mesh:
        discovery:
          static:
            services:
              reviews:
                - { url: "http://127.0.0.1:9", metadata: { version: v1 } }
                - { url: "http://127.0.0.1:10", metadata: { version: v2 } }
                - { url: "http://127.0.0.1:11", metadata: { version: v3 } }
              ratings:
                - { url: "http://127.0.0.1:9", metadata: { version: v1 } }
      """, n -> null);

  private static Mesh mesh(String file) {
    return Mesh.builder().config(INSTANCES).istioConfig(DIR.resolve("destination-rule-all.yaml"), DIR.resolve(file))
        .build();
  }

  @Test
  void eachBookinfoTaskFileAppliesWithNothingUnsupported() {
    try (Mesh mesh = mesh("virtual-service-all-v1.yaml")) {
      assertThat(mesh.config().service("reviews").routes()).singleElement()
          .satisfies(r -> assertThat(r.to()).isEqualTo("v1"));
      assertThat(mesh.istioReport().unsupported()).isEmpty();
    }
    try (Mesh mesh = mesh("virtual-service-reviews-80-20.yaml")) {
      assertThat(mesh.config().service("reviews").routes().get(0).split()).isEqualTo(Map.of("v1", 80, "v3", 20));
    }
    try (Mesh mesh = mesh("virtual-service-reviews-test-v2.yaml")) {
      RouteConfig jason = mesh.config().service("reviews").routes().get(0);
      assertThat(jason.match().headers()).containsEntry("end-user", StringMatch.exact("jason"));
      assertThat(jason.to()).isEqualTo("v2");
    }
    try (Mesh mesh = mesh("virtual-service-ratings-test-delay.yaml")) {
      RouteConfig jason = mesh.config().service("ratings").routes().get(0);
      assertThat(jason.fault().delay()).isEqualTo(Duration.ofSeconds(7));
      assertThat(jason.fault().delayPercent()).isEqualTo(100.0);
      assertThat(mesh.config().service("ratings").routes().get(1).fault()).isNull();
    }
    try (Mesh mesh = mesh("virtual-service-ratings-test-abort.yaml")) {
      RouteConfig jason = mesh.config().service("ratings").routes().get(0);
      assertThat(jason.fault().abortStatus()).isEqualTo(500);
      assertThat(jason.fault().abortPercent()).isEqualTo(100.0);
      assertThat(mesh.istioReport().unsupported()).isEmpty();
    }
  }
}
