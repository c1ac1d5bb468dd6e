package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.IstioOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several DestinationRules for one host, as pilot reads them for a caller in namespace {@code default}: the rules of
 * one namespace are merged (each subset and the top-level {@code trafficPolicy} from the first rule that has it), and
 * the namespace is the caller's, else the service's, else {@code istio-system}; rules of any other namespace never
 * apply. On real servers on 127.0.0.1, counted at the servers.
 */
@Timeout(60)
class IstioDestinationRuleMergeTest extends BookinfoIstioTest {
  /** A second rule for reviews in the caller's namespace: merged into the first (BookinfoIstioTest's), not refused. */
  @Test
  void twoRulesOfOneNamespaceAreMergedTheFirstDefinitionOfEachPartWinning() throws Exception {
    bookinfo();
    String second = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews-canary, namespace: default }
        spec:
          host: reviews.default.svc.cluster.local
          trafficPolicy: { loadBalancer: { simple: LEAST_REQUEST } }
          subsets:
            - { name: v2, labels: { version: v3 } }
            - { name: canary, labels: { version: v2 } }
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews-late }
        spec:
          host: reviews
          trafficPolicy: { loadBalancer: { simple: RANDOM } }
        ---
        """;
    String file = dir.resolve("istio.yaml").toString();
    try (Mesh mesh = mesh(second + JASON_TO.formatted("canary"))) {
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v1");
      }
      assertThat(mesh.config().service("reviews").subsets()).containsOnlyKeys("v1", "v2", "v3", "canary");
      assertThat(mesh.config().service("reviews").loadBalancer().name()).as("the first trafficPolicy")
          .isEqualTo("least-request");
      assertThat(mesh.istioReport().applied()).contains("DestinationRule default/reviews",
          "DestinationRule default/reviews-canary", "DestinationRule default/reviews-late");
      assertThat(mesh.istioReport().ignored()).containsExactly(
          "DestinationRule default/reviews-canary (" + file + "): spec.subsets[0]: subset v2 is defined by an earlier "
              + "rule for the host, DestinationRule default/reviews (" + file + "), whose definition Istio keeps when "
              + "it merges the rules, as does the mesh",
          "DestinationRule default/reviews-late (" + file + "): spec.trafficPolicy: an earlier rule for the host, "
              + "DestinationRule default/reviews-canary (" + file + "), has one, which Istio keeps when it merges the "
              + "rules, as does the mesh");
    }
    try (Mesh mesh = mesh(second + JASON_TO.formatted("v2"))) {
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).as("v2 as the first rule defines it")
            .isEqualTo("200 reviews-v2");
      }
    }
  }

  /** A problem only the mesh's validator finds is named at the merged rule, and the subset path, it came from. */
  @Test
  void aProblemInAMergedRuleIsNamedAtTheRuleAndSubsetItCameFrom() throws Exception {
    bookinfo();
    String second = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews-canary }
        spec:
          host: reviews
          %s
          subsets:
            - { name: v1, labels: { version: v1 } }
            - name: canary
              labels: { version: v2 }
              trafficPolicy: { tls: { mode: SIMPLE, caCertificates: %s } }
        ---
        """;
    String where = dir.resolve("istio.yaml") + ": DestinationRule default/reviews-canary: ";
    assertThatThrownBy(() -> mesh(second.formatted("trafficPolicy: { tls: { mode: SIMPLE, caCertificates: '' } }",
        "/etc/hosts") + JASON_TO.formatted("canary"))).isInstanceOf(ConfigurationException.class)
        .hasMessage(where + "spec.trafficPolicy.tls.caCertificates: '' (expected: the location of a PEM CA bundle, "
            + "such as file:/etc/mesh/ca.pem)");
    assertThatThrownBy(() -> mesh(second.formatted("", "/nonexistent/ca.pem") + JASON_TO.formatted("canary")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(where + "spec.subsets[1].trafficPolicy.tls.caCertificates: /nonexistent/ca.pem (expected: a "
            + "readable PEM bundle of CA certificates (no such file))");
  }

  /**
   * A rule of another namespace for a service of the caller's namespace: Istio applies the caller's namespace's
   * rules, so its subset is not defined, and a route to it is refused (IST0101), as with no such rule.
   */
  @Test
  void aRuleOfAnotherNamespaceDoesNotApplyWhereTheCallersNamespaceHasOne() throws Exception {
    bookinfo();
    String other = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: prod }
        spec:
          host: reviews.default.svc.cluster.local
          subsets: [{ name: prod-v3, labels: { version: v3 } }]
        ---
        """;
    String file = dir.resolve("istio.yaml").toString();
    assertThatThrownBy(() -> mesh(other + JASON_TO.formatted("prod-v3")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(file + ": VirtualService default/reviews: spec.http[0].route[0].destination.subset: "
            + "prod-v3 (expected: a subset a DestinationRule for host reviews defines (IST0101: referenced subset not "
            + "found; defined: [v1, v2, v3])");
    try (Mesh mesh = mesh(other + JASON_TO.formatted("v3"))) {
      assertThat(mesh.istioReport().applied()).doesNotContain("DestinationRule prod/reviews");
      assertThat(mesh.istioReport().ignored()).containsExactly("DestinationRule prod/reviews (" + file + "): a rule "
          + "for reviews of namespace prod: Istio takes a service's rules from one namespace, the first of the "
          + "caller's (default), the service's (default) and the root namespace (istio-system) to have one, here "
          + "default, so it does not apply this one, nor does the mesh");
      assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v3");
    }
  }

  /**
   * With no rule in the caller's or the service's namespace, the root namespace's apply; a rule of any other namespace
   * never does, even alone.
   */
  @Test
  void theRootNamespacesRulesApplyWhenNeitherTheCallersNorTheServicesHasOneAndNoOtherNamespacesEver()
      throws Exception {
    bookinfo();
    Path file = dir.resolve("root.yaml");
    Files.writeString(file, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: team-a }
        spec:
          host: reviews.default.svc.cluster.local
          subsets: [{ name: v2, labels: { version: v1 } }]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: istio-system }
        spec:
          host: reviews.default.svc.cluster.local
          subsets:
            - { name: v1, labels: { version: v1 } }
            - { name: v2, labels: { version: v2 } }
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: ratings, namespace: team-a }
        spec:
          host: ratings.default.svc.cluster.local
          trafficPolicy: { loadBalancer: { simple: RANDOM } }
        ---
        """ + JASON_TO.formatted("v2"));
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery)
        .random(new SplittableRandom(7)).build()) {
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v2");
      }
      assertThat(mesh.istioReport().ignored()).containsExactly(
          "DestinationRule team-a/reviews (" + file + "): a rule for reviews of namespace team-a: Istio takes a "
              + "service's rules from one namespace, the first of the caller's (default), the service's (default) and "
              + "the root namespace (istio-system) to have one, here istio-system, so it does not apply this one, nor "
              + "does the mesh",
          "DestinationRule team-a/ratings (" + file + "): a rule for ratings of namespace team-a: Istio takes a "
              + "service's rules from one namespace, the first of the caller's (default), the service's (default) and "
              + "the root namespace (istio-system) to have one, so it does not apply this one, nor does the mesh");
      assertThat(mesh.config().service("ratings").loadBalancer()).as("team-a's RANDOM not applied").isNull();
    }
  }

  /**
   * Istio's meshConfig.rootNamespace: with {@code mesh-root} configured, its rules apply where neither the caller's
   * nor the service's namespace has one, and istio-system's are a namespace like any other.
   */
  @Test
  void theConfiguredRootNamespacesRulesApplyAndIstioSystemIsThenAnyOtherNamespace() throws Exception {
    bookinfo();
    Path file = dir.resolve("root.yaml");
    Files.writeString(file, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: istio-system }
        spec:
          host: reviews.default.svc.cluster.local
          subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v1 } }]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: mesh-root }
        spec:
          host: reviews.default.svc.cluster.local
          subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
        ---
        """ + JASON_TO.formatted("v2"));
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery)
        .istioOptions(IstioOptions.DEFAULT.withRootNamespace("mesh-root")).random(new SplittableRandom(7)).build()) {
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v2");
      }
      assertThat(mesh.istioReport().ignored()).containsExactly("DestinationRule istio-system/reviews (" + file
          + "): a rule for reviews of namespace istio-system: Istio takes a service's rules from one namespace, the "
          + "first of the caller's (default), the service's (default) and the root namespace (mesh-root) to have "
          + "one, here mesh-root, so it does not apply this one, nor does the mesh");
    }
    assertThatThrownBy(() -> IstioOptions.DEFAULT.withRootNamespace("Istio_System"))
        .isInstanceOf(ConfigurationException.class).hasMessage("mesh.istio.root-namespace: Istio_System (expected: "
            + "a Kubernetes namespace name: lower-case letters, digits and '-', at most 63)");
    assertThatThrownBy(() -> IstioOptions.DEFAULT.withRootNamespace("")).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("mesh.istio.root-namespace: '' (expected: a Kubernetes namespace name");
  }
}
