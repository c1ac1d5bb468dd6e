package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A match block's {@code sourceNamespace} holds for callers in the mesh's namespace ({@code default}) only. */
@Timeout(60)
class IstioSourceNamespaceTest extends BookinfoIstioTest {
  @Test
  void aBlockForTheMeshsNamespaceMatchesAndOneForAnotherNeverDoes() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ sourceNamespace: istio-system }]
              route: [{ destination: { host: reviews, subset: v3 } }]
            - match: [{ sourceNamespace: default, headers: { end-user: { exact: jason } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """)) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v1");
      }
    }
    assertThat(reviewsV3.requests.get()).isZero();
  }
}
