package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code kubectl get virtualservices,destinationrules -o yaml} writes, a v1 {@code List} of the resources
 * with their server-set metadata and status, is read as the resources it holds.
 */
@Timeout(60)
class IstioKubectlListTest extends BookinfoIstioTest {
  /** Bookinfo's virtual-service-reviews-test-v2.yaml and its rule as kubectl lists them back. */
  private static final String KUBECTL_GET = """
      apiVersion: v1
      items:
      - apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: |
              {"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":"reviews"}}
          creationTimestamp: "2026-12-01T10:00:00Z"
          generation: 1
          name: reviews
          namespace: default
          resourceVersion: "81234"
          uid: 0b6f1c2e-4c1a-4e58-9d0e-6f7f1b2c3d4e
        spec:
          host: reviews
          subsets:
          - labels:
              version: v1
            name: v1
          - labels:
              version: v2
            name: v2
      - apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          creationTimestamp: "2026-12-01T10:00:01Z"
          generation: 1
          name: reviews
          namespace: default
          resourceVersion: "81240"
          uid: 5d1e2f3a-1b2c-4d5e-8f9a-0b1c2d3e4f5a
        spec:
          hosts:
          - reviews
          http:
          - match:
            - headers:
                end-user:
                  exact: jason
            route:
            - destination:
                host: reviews
                subset: v2
          - route:
            - destination:
                host: reviews
                subset: v1
        status: {}
      kind: List
      metadata:
        resourceVersion: ""
      """;

  @Test
  void aListFromKubectlGetRoutesJasonToV2AndEveryoneElseToV1() throws Exception {
    bookinfo();
    Path file = Files.writeString(dir.resolve("kubectl-get.yaml"), KUBECTL_GET);
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery).build()) {
      assertThat(mesh.istioReport().applied()).containsExactly("DestinationRule default/reviews",
          "VirtualService default/reviews");
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/reviews/0", "end-user", "jason")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews/reviews/0")).isEqualTo("200 reviews-v1");
      }
    }
  }

  @Test
  void anItemOfAListIsValidatedAsADocumentAndNamedByItsPosition() throws Exception {
    bookinfo();
    Path file = Files.writeString(dir.resolve("kubectl-get.yaml"), KUBECTL_GET.replace(
        "- apiVersion: networking.istio.io/v1\n  kind: VirtualService", "- apiVersion: networking.istio.io/v2\n"
            + "  kind: VirtualService"));
    assertThatThrownBy(() -> Mesh.builder().istioConfig(file).discovery("memory", discovery).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + " (document 1): items[1]: apiVersion: networking.istio.io/v2 (expected: one of "
            + "[networking.istio.io/v1, networking.istio.io/v1alpha3, networking.istio.io/v1beta1])");
  }

  /**
   * A byte-order mark at the start of a later document (files saved by a Windows editor and joined with {@code cat})
   * is skipped as the first document's is. The mesh once read it into the first key and refused the document
   * ("apiVersion: missing").
   */
  @Test
  void aByteOrderMarkStartingALaterDocumentIsSkippedAsTheFirstDocumentsIs() throws Exception {
    bookinfo();
    String bom = "\uFEFF";
    String testV2 = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ headers: { end-user: { exact: jason } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """;
    Path file = dir.resolve("joined.yaml");
    for (String joined : new String[] {bom + DESTINATION_RULES + "---\n" + bom + testV2,
        bom + DESTINATION_RULES + bom + "---\n" + testV2}) {
      Files.writeString(file, joined);
      try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery).build()) {
        assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v1");
      }
    }
  }
}
