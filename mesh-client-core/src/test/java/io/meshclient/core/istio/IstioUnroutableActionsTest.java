package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.core.Mesh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route whose action the mesh cannot take ({@code directResponse}, {@code redirect}, {@code delegate}) keeps its
 * place: the requests it matches fail before any I/O instead of falling through to a later route or to every
 * instance, where Istio never sends them.
 */
@Timeout(60)
class IstioUnroutableActionsTest extends BookinfoIstioTest {
  @Test
  void aDirectResponseThatDeniesAPathFailsThoseCallsInsteadOfForwardingThem() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - name: deny-admin
              match: [{ uri: { prefix: /admin } }]
              directResponse: { status: 403, body: { string: denied } }
            - match: [{ uri: { prefix: /old } }]
              redirect: { uri: /new }
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """)) {
      for (String path : new String[] {"/admin/users", "/old/page"}) {
        assertThatThrownBy(() -> get(mesh, "http://reviews" + path)).as(path)
            .isInstanceOf(NoHealthyInstanceException.class)
            .hasMessage("no healthy instance of service 'reviews' in subset 'istio.unroutable': none of its instances "
                + "has the subset's labels {mesh.istio/unroutable=}");
      }
      assertThat(body(mesh, "http://reviews/reviews/0")).isEqualTo("200 reviews-v1");
      assertThat(mesh.istioReport().unsupported()).extracting(u -> u.field())
          .containsExactly("spec.http[0].directResponse", "spec.http[1].redirect");
    }
    assertThat(reviewsV1.requests.get() + reviewsV2.requests.get() + reviewsV3.requests.get()).isEqualTo(1);
  }

  /**
   * pilot reserves no subset name: a DestinationRule may name one istio-unroutable, and the routes to it reach its
   * instances. The mesh once used that name for the subset of no instance, so it replaced the rule's subset and
   * the calls to it failed.
   */
  @Test
  void aSubsetNamedIstioUnroutableIsTheRulesSubsetAsInIstio() throws Exception {
    bookinfo();
    java.nio.file.Path file = dir.resolve("reviews.yaml");
    java.nio.file.Files.writeString(file, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          subsets: [{ name: istio-unroutable, labels: { version: v1 } }]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ uri: { prefix: /admin } }]
              directResponse: { status: 403 }
            - route: [{ destination: { host: reviews, subset: istio-unroutable } }]
        """);
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery).build()) {
      assertThatThrownBy(() -> get(mesh, "http://reviews/admin")).isInstanceOf(NoHealthyInstanceException.class);
      for (int i = 0; i < 5; i++) {
        assertThat(body(mesh, "http://reviews/reviews/0")).isEqualTo("200 reviews-v1");
      }
    }
    assertThat(reviewsV1.requests.get()).isEqualTo(5);
  }
}
