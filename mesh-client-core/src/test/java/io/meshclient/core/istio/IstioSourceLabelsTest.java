package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.IstioOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A match block's {@code sourceLabels} holds when each label is among the application's own ({@link
 * IstioOptions#withLabels}), as Istio matches the caller's workload, and never otherwise; without the application's
 * labels the block is left out and reported. On real servers on 127.0.0.1, counted at the servers.
 */
@Timeout(60)
class IstioSourceLabelsTest extends BookinfoIstioTest {
  private static final String ROUTES = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: { name: reviews }
      spec:
        hosts: [reviews]
        http:
          - match: [{ sourceLabels: { app: productpage, version: v2 } }]
            route: [{ destination: { host: reviews, subset: v3 } }]
          - match: [{ sourceLabels: { app: productpage }, headers: { end-user: { exact: jason } } }]
            route: [{ destination: { host: reviews, subset: v2 } }]
          - route: [{ destination: { host: reviews, subset: v1 } }]
      """;

  private Mesh mesh(IstioOptions options) throws Exception {
    Path file = dir.resolve("istio.yaml");
    Files.writeString(file, DESTINATION_RULES + "---\n" + ROUTES);
    return Mesh.builder().istioConfig(file).istioOptions(options).discovery("memory", discovery)
        .random(new SplittableRandom(7)).build();
  }

  @Test
  void aBlockWhoseLabelsTheApplicationCarriesMatchesAndOneWhoseLabelsItLacksNeverDoes() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh(IstioOptions.DEFAULT.withLabels(Map.of("app", "productpage", "version", "v1")))) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v1");
      }
    }
    assertThat(reviewsV3.requests.get()).as("version: v2 is not the application's").isZero();
    try (Mesh mesh = mesh(IstioOptions.DEFAULT.withLabels(Map.of("app", "productpage", "version", "v2")))) {
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v3");
    }
    try (Mesh mesh = mesh(IstioOptions.DEFAULT.withLabels(Map.of()))) {
      assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).as("no labels: neither block")
          .isEqualTo("200 reviews-v1");
    }
  }

  @Test
  void withoutTheApplicationsLabelsTheBlocksAreLeftOutAndReported() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh(IstioOptions.DEFAULT)) {
      assertThat(mesh.istioReport().unsupported()).extracting(u -> u.field())
          .containsExactly("spec.http[0].match[0].sourceLabels", "spec.http[1].match[0].sourceLabels");
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v1");
      }
    }
  }

  @Test
  void aLabelThatIsNoKubernetesLabelIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> IstioOptions.DEFAULT.withLabels(Map.of("bad label", "x")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("mesh.istio.labels: bad label (expected: "
            + "Kubernetes label keys");
    assertThatThrownBy(() -> IstioOptions.DEFAULT.withLabels(Map.of("app", "a b")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("mesh.istio.labels.app: a b (expected: a "
            + "Kubernetes label value");
  }
}
