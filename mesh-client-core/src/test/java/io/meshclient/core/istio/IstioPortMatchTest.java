package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A VirtualService match block's {@code port} holds for the calls to the port the caller addressed: the request
 * URL's, 80 when an http URL names none, as Istio's sidecar keeps the blocks of the service port its caller
 * addressed. It used to be left out (reported unsupported), so the calls it alone matched fell through to the next
 * route. Counted at real servers on 127.0.0.1, which are called on their own port either way.
 */
@Timeout(60)
class IstioPortMatchTest extends BookinfoIstioTest {
  private static final String PORT_TO_V2 = firstRouteTo("{ port: %s }",
      "{ host: reviews, subset: v2, port: { number: 9080 } }");

  @Test
  void aPortMatchHoldsForCallsToThePortTheCallerAddressed() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh(PORT_TO_V2.formatted("9080"))) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      for (int i = 0; i < 5; i++) {
        assertThat(body(mesh, "http://reviews:9080/r")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews.default.svc.cluster.local:9080/r")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews:8080/r")).isEqualTo("200 reviews-v1");
        assertThat(body(mesh, "http://reviews/r")).as("port 80").isEqualTo("200 reviews-v1");
      }
    }
    try (Mesh mesh = mesh(PORT_TO_V2.formatted("80"))) {
      assertThat(body(mesh, "http://reviews/r")).as("an http URL without a port is port 80")
          .isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews:80/r")).isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews:9080/r")).isEqualTo("200 reviews-v1");
    }
  }

  /** proto3's unset, as pilot reads it: no port condition. */
  @Test
  void portZeroIsNoCondition() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh(PORT_TO_V2.formatted("0"))) {
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews:9080/r")).isEqualTo("200 reviews-v2");
    }
  }

  @Test
  void aPortOutOfRangeIsRefusedNamingTheField() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh(PORT_TO_V2.formatted("70000"))).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.http[0].match[0].port: 70000 "
            + "(expected: an integer from 0 to 65535)");
  }
  /**
   * The mesh calls a service's instances at the port discovery gives: a split between two ports of one host and
   * subset would send both shares to the same instances, so it is refused. It was loaded without a word.
   */
  @Test
  void aSplitBetweenTwoPortsOfOneHostIsRefusedNamingThePort() throws Exception {
    bookinfo();
    String split = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route:
                - { destination: { host: reviews, subset: v1, port: { number: 9080 } }, weight: 50 }
                - { destination: { host: reviews, subset: v1, port: { number: 9443 } }, weight: 50 }
        """;
    assertThatThrownBy(() -> mesh(split)).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.http[0].route[1].destination"
            + ".port.number: 9443 (expected: the port of the route's other destination of reviews subset v1 (9080): "
            + "the mesh calls a service's instances at the port its discovery gives, so shares split between ports "
            + "would all reach the same instances)");
    try (Mesh mesh = mesh(split.replace("9443", "9080"))) { // one port, or a split between subsets, loads
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v1");
    }
  }
}
