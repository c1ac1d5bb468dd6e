package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which of several DestinationRules for one host is "first" when they are merged: pilot's order
 * ({@code sortConfigBySelectorAndCreationTime}), not the order the files were read in. A rule with a {@code
 * workloadSelector} first, then the oldest {@code metadata.creationTimestamp} (none is Go's zero time, the oldest),
 * then the name, then the namespace. Counted at real servers on 127.0.0.1: jason's calls go to subset v2, which
 * the two rules define differently.
 */
@Timeout(60)
class IstioDestinationRuleOrderTest extends BookinfoIstioTest {
  /** A rule for reviews: {@code name} and further {@code metadata}, subset v2 selecting {@code v2Version}. */
  private static String rule(String name, String metadata, String v2Version, String balancer) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: %s%s }
        spec:
          host: reviews
          trafficPolicy: { loadBalancer: { simple: %s } }
          subsets:
            - { name: v1, labels: { version: v1 } }
            - { name: v2, labels: { version: %s } }
        ---
        """.formatted(name, metadata, balancer, v2Version);
  }

  private Mesh meshOf(String yaml) throws IOException {
    Path file = dir.resolve("istio.yaml");
    Files.writeString(file, yaml + JASON_TO.formatted("v2"));
    return Mesh.builder().istioConfig(file).discovery("memory", discovery).random(new SplittableRandom(7)).build();
  }

  private static void jasonReaches(Mesh mesh, String server) throws IOException {
    for (int i = 0; i < 10; i++) {
      assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 " + server);
    }
  }

  /** Jason's calls reach reviews-v2, and the top-level trafficPolicy is ROUND_ROBIN, with rules {@code yaml}. */
  private void theRuleWithV2AtV2Wins(String yaml) throws IOException {
    try (Mesh mesh = meshOf(yaml)) {
      jasonReaches(mesh, "reviews-v2");
      assertThat(mesh.config().service("reviews").loadBalancer().name()).isEqualTo("round-robin");
    }
  }

  @Test
  void theOldestRuleWinsThoughItIsReadLast() throws Exception {
    bookinfo();
    String file = dir.resolve("istio.yaml").toString();
    try (Mesh mesh = meshOf(rule("reviews-new", ", creationTimestamp: '2026-12-01T10:00:00Z'", "v3", "RANDOM")
        + rule("reviews-old", ", creationTimestamp: '2026-11-30T10:00:00Z'", "v2", "ROUND_ROBIN"))) {
      jasonReaches(mesh, "reviews-v2");
      assertThat(mesh.config().service("reviews").loadBalancer().name()).isEqualTo("round-robin");
      assertThat(mesh.istioReport().ignored()).containsExactly(
          "DestinationRule default/reviews-new (" + file + "): spec.subsets[0]: subset v1 is defined by an earlier "
              + "rule for the host, DestinationRule default/reviews-old (" + file + "), whose definition Istio keeps "
              + "when it merges the rules, as does the mesh",
          "DestinationRule default/reviews-new (" + file + "): spec.subsets[1]: subset v2 is defined by an earlier "
              + "rule for the host, DestinationRule default/reviews-old (" + file + "), whose definition Istio keeps "
              + "when it merges the rules, as does the mesh",
          "DestinationRule default/reviews-new (" + file + "): spec.trafficPolicy: an earlier rule for the host, "
              + "DestinationRule default/reviews-old (" + file + "), has one, which Istio keeps when it merges the "
              + "rules, as does the mesh");
    }
  }

  /** Times are compared as instants: 12:00+02:00 is 10:00Z. Kubernetes keeps them in seconds, so ties are common. */
  @Test
  void rulesCreatedAtTheSameInstantAreOrderedByName() throws Exception {
    bookinfo();
    theRuleWithV2AtV2Wins(rule("reviews-b", ", creationTimestamp: '2026-12-01T10:00:00Z'", "v3", "RANDOM")
        + rule("reviews-a", ", creationTimestamp: '2026-12-01T12:00:00+02:00'", "v2", "ROUND_ROBIN"));
  }

  /** As pilot compares Go's zero time for a config without one; {@code null} is how kubectl writes it unset. */
  @Test
  void aRuleWithoutCreationTimestampIsOlderThanAnyWithOne() throws Exception {
    bookinfo();
    theRuleWithV2AtV2Wins(rule("reviews-a", ", creationTimestamp: '2026-12-01T10:00:00Z'", "v3", "RANDOM")
        + rule("reviews-b", ", creationTimestamp: null", "v2", "ROUND_ROBIN"));
  }

  /** pilot sorts the rules with a workloadSelector first; the mesh applies one to its caller (reported). */
  @Test
  void aRuleWithAWorkloadSelectorComesBeforeAnOlderOneWithout() throws Exception {
    bookinfo();
    String selected = rule("reviews-selected", ", creationTimestamp: '2026-12-01T10:00:00Z'", "v2", "ROUND_ROBIN")
        .replace("  host: reviews\n", "  host: reviews\n  workloadSelector: { matchLabels: { app: productpage } }\n");
    theRuleWithV2AtV2Wins(rule("reviews-all", ", creationTimestamp: '2026-11-01T10:00:00Z'", "v3", "RANDOM")
        + selected);
  }

  @Test
  void aCreationTimestampThatIsNoRfc3339TimeIsRefusedNamingTheResourceAndField() throws Exception {
    bookinfo();
    String where = dir.resolve("istio.yaml") + " (document 1): DestinationRule reviews-new: metadata.creationTimestamp";
    String expected = " (expected: an RFC 3339 time such as 2026-12-01T10:00:00Z, as Kubernetes writes it (istiod "
        + "orders rules by it), or no creationTimestamp)";
    for (String bad : new String[] {"yesterday", "2026-12-01 10:00:00", "2026-12-01T10:00Z", "2026-02-30T10:00:00Z",
        "2026-12-01T10:00:00"}) {
      assertThatThrownBy(() -> meshOf(rule("reviews-new", ", creationTimestamp: '" + bad + "'", "v2", "RANDOM")))
          .as(bad).isInstanceOf(ConfigurationException.class).hasMessage(where + ": " + bad + expected);
    }
    assertThatThrownBy(() -> meshOf(rule("reviews-new", ", creationTimestamp: { at: now }", "v2", "RANDOM")))
        .isInstanceOf(ConfigurationException.class).hasMessage(where + ": a block" + expected);
  }

  /** Their order decides nothing: istiod keeps the first in its order, the mesh refuses the pair (README). */
  @Test
  void twoVirtualServicesForOneHostAreRefusedWhateverTheirAge() throws Exception {
    bookinfo();
    String older = JASON_TO.formatted("v2").replace("metadata: { name: reviews }",
        "metadata: { name: reviews-old, creationTimestamp: '2026-11-01T10:00:00Z' }") + "---\n";
    String file = dir.resolve("istio.yaml").toString();
    assertThatThrownBy(() -> meshOf(rule("reviews", "", "v2", "RANDOM") + older))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + ": VirtualService default/reviews: spec.hosts[0]: reviews (expected: a host no other "
            + "VirtualService covers (VirtualService default/reviews-old in " + file + " does))");
  }
}
