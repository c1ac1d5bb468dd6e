package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A resource's {@code exportTo} decides, as in Istio, whether it applies to this mesh's callers (namespace
 * {@code default} here): one exported elsewhere is ignored and reported, never applied.
 */
@Timeout(60)
class IstioExportToTest extends BookinfoIstioTest {
  private static String testV2(String exportTo) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews, namespace: default }
        spec:
          hosts: [reviews]
          exportTo: %s
          http:
            - match: [{ headers: { end-user: { exact: jason } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """.formatted(exportTo);
  }

  @Test
  void aVirtualServiceExportedToItsOwnNamespaceOrToAllApplies() throws Exception {
    bookinfo();
    for (String exportTo : new String[] {"[\".\"]", "[\"*\"]", "[default, prod]"}) {
      try (Mesh mesh = mesh(testV2(exportTo))) {
        assertThat(mesh.istioReport().ignored()).as(exportTo).isEmpty();
        for (int i = 0; i < 10; i++) {
          assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).as(exportTo).isEqualTo("200 reviews-v2");
        }
      }
    }
  }

  @Test
  void aVirtualServiceExportedOnlyToAnotherNamespaceIsIgnoredAndReported() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh(testV2("[istio-system]"))) {
      assertThat(mesh.istioReport().ignored()).containsExactly("VirtualService default/reviews (" + dir.resolve(
          "istio.yaml") + "): its exportTo [istio-system] leaves out this mesh's namespace default, so Istio does "
          + "not apply it to callers there, nor does the mesh");
      assertThat(mesh.config().service("reviews").routes()).isEmpty();
      for (int i = 0; i < 30; i++) {
        body(mesh, "http://reviews/r", "end-user", "jason");
      }
    }
    assertThat(reviewsV1.requests.get()).as("jason's calls go to every instance").isPositive();
    assertThat(reviewsV3.requests.get()).isPositive();
  }

  /**
   * Istio's validation refuses '~' outside a ServiceEntry, '*' next to other entries, and an entry twice ('.' is the
   * resource's namespace). The mesh once applied {@code ['~', '*']} as exported everywhere.
   */
  @Test
  void anExportToIstioRefusesIsRefusedNotAppliedAsExportedEverywhere() throws Exception {
    bookinfo();
    String file = dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.exportTo";
    assertThatThrownBy(() -> mesh(testV2("['~', '*']"))).isInstanceOf(ConfigurationException.class)
        .hasMessage("2 configuration problems:\n  " + file + "[0]: ~ (expected: '.', '*' or a namespace name (Istio: "
            + "\"exportTo ~ (none) is not allowed for Istio configuration objects\"; a ServiceEntry may take it))\n  "
            + file + ": [~, *] (expected: '*' alone (Istio: \"cannot have both public (*) and non-public exportTo "
            + "values for a resource\"))");
    assertThatThrownBy(() -> mesh(testV2("['.', default, Prod]"))).isInstanceOf(ConfigurationException.class)
        .hasMessage("2 configuration problems:\n  " + file + "[1]: default (expected: each namespace once, '.' being "
            + "default (Istio: \"duplicate entries in exportTo\"))\n  " + file + "[2]: Prod (expected: '.', '*' or a "
            + "namespace name (Istio: \"only .,*, or a valid DNS 1123 label is allowed as exportTo entry\"))");
  }
}
