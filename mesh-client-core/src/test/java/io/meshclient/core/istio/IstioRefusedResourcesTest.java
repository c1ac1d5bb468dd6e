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
 * Resources Istio's validation refuses are refused here too, with a message naming the file, the resource and the
 * field, never applied with a part of them left out (which would send calls where Istio never sends them); so is a
 * condition Istio takes but that never holds there (a method in lower case).
 */
@Timeout(60)
class IstioRefusedResourcesTest extends BookinfoIstioTest {
  @Test
  void aResourceWithoutApiVersionIsRefusedNamingTheField() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh("""
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http: [{ route: [{ destination: { host: reviews, subset: v1 } }] }]
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + " (document 3): apiVersion: missing (expected: one of "
            + "[networking.istio.io/v1, networking.istio.io/v1alpha3, networking.istio.io/v1beta1])");
  }

  @Test
  void aNullHeaderMatchIsRefusedNotLeftOutToMatchEveryCall() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ headers: { end-user: } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.http[0].match[0].headers"
            + ".end-user: null (expected: a match block such as { exact: v }, { prefix: v }, { regex: v }, or {} for "
            + "any value (Istio: \"header match end-user cannot be null\"))");
  }

  @Test
  void aRouteWithBothMirrorAndMirrorsIsRefusedNotMirroredToOneOnly() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route: [{ destination: { host: reviews, subset: v1 } }]
              mirror: { host: reviews, subset: v2 }
              mirrors: [{ destination: { host: reviews, subset: v3 } }]
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.http[0].mirrors: set next "
            + "to mirror (expected: one of mirror and mirrors (Istio: \"HTTP route cannot contain both mirror and "
            + "mirrors\"))");
  }

  @Test
  void aVirtualServiceWithoutRoutesIsRefusedNotAppliedAsRoutingToEveryInstance() throws Exception {
    bookinfo();
    for (String routes : java.util.List.of("", "  http: []\n")) {
      assertThatThrownBy(() -> mesh("""
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: { name: reviews }
          spec:
            hosts: [reviews]
          """ + routes)).isInstanceOf(ConfigurationException.class)
          .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.http: missing (expected: "
              + "at least one route (Istio: \"http, tcp or tls must be provided in virtual service\"))");
    }
  }

  @Test
  void aSubsetLabelWithoutAValueIsRefusedNotLeftOutToSelectEveryInstance() throws Exception {
    bookinfo();
    Path file = dir.resolve("ratings.yaml");
    Files.writeString(file, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: ratings }
        spec:
          host: ratings
          subsets:
            - { name: v1, labels: { version: v1 } }
            - { name: v2, labels: { version: } }
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: ratings }
        spec:
          hosts: [ratings]
          http: [{ route: [{ destination: { host: ratings, subset: v2 } }] }]
        """);
    assertThatThrownBy(() -> Mesh.builder().istioConfig(file).discovery("memory", discovery).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + ": DestinationRule default/ratings: spec.subsets[1].labels.version: null (expected: a "
            + "value ('' for an empty one))");
  }

  @Test
  void aMethodInLowerCaseIsRefusedNotMatchedAsTheUpperCaseMethod() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ method: { exact: get } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.http[0].match[0].method.exact:"
            + " get (expected: a method in upper case, such as GET: Envoy compares the method exactly, so under Istio "
            + "this block never matches)");
  }

  @Test
  void anEmptyHeaderPrefixOrRegexIsRefusedNotMatchedAsAnyValue() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ headers: { end-user: { prefix: "" } } }, { queryParams: { beta: { regex: "" } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage("2 configuration problems:\n  " + dir.resolve("istio.yaml") + ": VirtualService default/reviews: "
            + "spec.http[0].match[0].headers.end-user.prefix: '' (expected: a prefix of at least one character, or {} "
            + "for any value (Istio: \"prefix string match should not be empty\"))\n  " + dir.resolve("istio.yaml")
            + ": VirtualService default/reviews: spec.http[0].match[1].queryParams.beta.regex: '' (expected: a regex of"
            + " at least one character, or {} for any value (Istio: \"regex string match should not be empty\"))");
  }

  @Test
  void aMetadataFieldOutsideObjectMetaIsRefusedNotReadInTheMeshsNamespace() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews, namspace: prod }
        spec:
          hosts: [reviews]
          http: [{ route: [{ destination: { host: reviews, subset: v1 } }] }]
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + " (document 3): VirtualService reviews: metadata.namspace: unknown "
            + "field (expected: a field of Kubernetes' ObjectMeta, such as name, namespace, labels, annotations; did "
            + "you mean 'namespace'?)");
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews, namespace: [prod] }
        spec:
          hosts: [reviews]
          http: [{ route: [{ destination: { host: reviews, subset: v1 } }] }]
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + " (document 3): VirtualService reviews: metadata.namespace: a list "
            + "(expected: a namespace name, such as default)");
  }

  /**
   * Istio's validation refuses a VirtualService listing the same host twice; the mesh once applied it. (A
   * ServiceEntry may list a host twice: Istio's validation does not check it, and the entry defines the service once.)
   */
  @Test
  void aVirtualServiceListingAHostTwiceIsRefusedAsIstioRefusesIt() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews, ratings, reviews]
          http: [{ route: [{ destination: { host: reviews, subset: v1 } }] }]
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.hosts[2]: reviews (expected: "
            + "each host once (spec.hosts[0] lists it already; Istio: \"duplicate hosts in virtual service: reviews & "
            + "reviews\"))");
  }

  /**
   * Istio reads enum values as written: its schema lists {@code simple} in upper case and protojson takes enum names
   * exactly, so {@code round_robin} is refused there. The mesh once read it as ROUND_ROBIN; written so, it applies.
   */
  @Test
  void aLoadBalancerNamedInLowerCaseIsRefusedAsIstioRefusesIt() throws Exception {
    bookinfo();
    Path file = dir.resolve("ratings.yaml");
    String rule = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: ratings }
        spec:
          host: ratings
          trafficPolicy: { loadBalancer: { simple: %s } }
        """;
    Files.writeString(file, rule.formatted("round_robin"));
    assertThatThrownBy(() -> Mesh.builder().istioConfig(file).discovery("memory", discovery).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + ": DestinationRule default/ratings: spec.trafficPolicy.loadBalancer.simple: round_robin "
            + "(expected: one of ROUND_ROBIN, LEAST_REQUEST, LEAST_CONN, RANDOM, PASSTHROUGH, UNSPECIFIED, in upper "
            + "case as Istio requires)");
    Files.writeString(file, rule.formatted("ROUND_ROBIN"));
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery).build()) {
      for (int i = 0; i < 4; i++) {
        body(mesh, "http://ratings/r");
      }
      assertThat(ratingsV1.requests.get()).as("round robin over v1 and v2").isEqualTo(2);
      assertThat(ratingsV2.requests.get()).isEqualTo(2);
    }
  }

  /** Istio refuses a fault with neither delay nor abort; the mesh once applied the route without it. */
  @Test
  void aFaultWithNeitherDelayNorAbortIsRefusedAsIstioRefusesIt() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http: [{ route: [{ destination: { host: reviews, subset: v1 } }], fault: {} }]
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.http[0].fault: neither delay "
            + "nor abort (expected: a delay, an abort or both (Istio: \"HTTP fault injection must have an abort "
            + "and/or a delay\"))");
  }

  /**
   * Istio refuses a route that sets the authority twice: rewrite.authority next to a Host header in headers.request
   * (set or add), or two such headers. The mesh once applied one of them.
   */
  @Test
  void aRouteSettingTheAuthorityTwiceIsRefusedAsIstioRefusesIt() throws Exception {
    bookinfo();
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route: [{ destination: { host: reviews, subset: v1 } }]
              rewrite: { authority: reviews.internal }
              headers: { request: { set: { Host: other.internal } } }
            - route: [{ destination: { host: reviews, subset: v1 } }]
              headers: { request: { set: { host: a.internal }, add: { Host: b.internal } } }
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage("2 configuration problems:\n  " + dir.resolve("istio.yaml") + ": VirtualService default/reviews: "
            + "spec.http[0].headers.request.set.Host: other.internal (expected: the authority set in one place only: "
            + "spec.http[0].rewrite.authority sets it (Istio: \"authority header cannot be set multiple times\"))\n  "
            + dir.resolve("istio.yaml") + ": VirtualService default/reviews: spec.http[1].headers.request.add.Host: "
            + "b.internal (expected: the authority set in one place only: spec.http[1].headers.request.set.host sets "
            + "it (Istio: \"authority header cannot be set multiple times\"))");
  }
}
