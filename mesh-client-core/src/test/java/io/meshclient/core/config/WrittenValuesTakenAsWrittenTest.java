package io.meshclient.core.config;

import static io.meshclient.core.config.ConfigValidationTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * Values that validated and then meant something other than what was written: {@code max-concurrent-requests: 0}
 * for a service read as "the default" (1024 calls in flight), and a path match without its leading '/', which no
 * request path has, made a route that never matched and sent its traffic to the next one.
 */
class WrittenValuesTakenAsWrittenTest {
  @Test
  void aServiceCapOfZeroIsRefusedAsForASubset() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews: { max-concurrent-requests: 0 }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.max-concurrent-requests: 0 (expected: > 0)"));
  }

  @Test
  void anExactOrPrefixPathWithoutItsLeadingSlashIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              routes:
                - match: { path: { prefix: api } }
                  to: { service: reviews }
                - match: { path: { exact: "" } }
                  to: { service: reviews }
                - match: { path: { prefix: /api } }
                  to: { service: reviews }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.routes[0].match.path: api (expected: a path starting with '/': a request's path "
                + "always does)",
            "mesh.services.reviews.routes[1].match.path:  (expected: a path starting with '/': a request's path "
                + "always does)"));
  }

  /** {@code mesh:} with nothing under it was refused as {@code mesh.mesh: unknown key}, a key nobody wrote. */
  @Test
  void aMeshKeyWithNothingUnderItIsRefusedAsEmpty() {
    assertThatThrownBy(() -> yaml("mesh:\n")).isInstanceOfSatisfying(ConfigurationException.class, e ->
        assertThat(e.problems()).containsExactly(
            "mesh: empty (expected: a block of settings; mesh: {} for an empty configuration)"));
  }

  /**
   * A list written as one comma-separated value, as Spring binds a {@code List<String>} property (and as the IDE
   * metadata, which declares these keys so, invites): it was one item, "503, 504", refused as no retry condition.
   */
  @Test
  void aCommaSeparatedValueIsAListAsSpringReadsOne() throws Exception {
    MeshConfig config = MeshConfig.fromMap(java.util.Map.of("mesh", java.util.Map.of("services", java.util.Map.of(
        "reviews", java.util.Map.of("retry", java.util.Map.of("on", "503, 504,"),
            "routes", java.util.Map.of("0", java.util.Map.of("match", java.util.Map.of("method", "get,HEAD"),
                "to", java.util.Map.of("service", "reviews"))))))));
    ServiceConfig reviews = config.service("reviews");
    assertThat(reviews.retry().statuses()).containsExactlyInAnyOrder(503, 504);
    assertThat(reviews.retry().on()).isEmpty();
    assertThat(reviews.routes().get(0).match().methods()).containsExactlyInAnyOrder("GET", "HEAD");
  }

  /**
   * Spring reads {@code routes: []} and {@code on: []} in application.yml as empty strings: they were refused as
   * "expected: a list" where mesh.yaml's {@code []} is an empty list.
   */
  @Test
  void aBlankValueIsAnEmptyListAsSpringWritesOne() throws Exception {
    MeshConfig config = MeshConfig.fromMap(java.util.Map.of("mesh", java.util.Map.of("services", java.util.Map.of(
        "reviews", java.util.Map.of("retry", java.util.Map.of("attempts", 1, "on", ""), "routes", "")))));
    assertThat(config.service("reviews").retry().on()).isEmpty();
    assertThat(config.service("reviews").retry().statuses()).isEmpty();
    assertThat(config.service("reviews").routes()).isEmpty();
  }

  /**
   * YAML (mesh.yaml, and Spring's application.yml alike) reads {@code 1.10} unquoted as the number 1.1: a header
   * match written {@code exact: 1.10} matched only "1.1", so calls carrying {@code x-api-version: 1.10} went on to
   * the next route, a subset's {@code version: 1.10} selected no instance, and a header set to 2.50 was sent as 2.5.
   * Where the mesh compares or sends a value as text, a number with a fraction is refused; whole numbers stay.
   */
  private static final String QUOTE_IT = " (expected: text, quoted in YAML: unquoted, 1.10 is read as the number 1.1)";

  @Test
  void aNumberWithAFractionWhereTheMeshComparesOrSendsTextIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              subsets: { v110: { version: 1.10 }, v2: { version: 2 } }
              routes:
                - match: { headers: { x-api-version: { exact: 1.10 }, x-build: 7 } }
                  to: v110
                  headers: { request: { set: { x-pinned: 2.50 } } }
                - match: { query-params: { v: 3.0 } }
                  to: v2
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.subsets.v110.version: 1.1" + QUOTE_IT,
            "mesh.services.reviews.routes[0].match.headers.x-api-version.exact: 1.1" + QUOTE_IT,
            "mesh.services.reviews.routes[0].headers.request.set.x-pinned: 2.5" + QUOTE_IT,
            "mesh.services.reviews.routes[1].match.query-params.v: 3.0" + QUOTE_IT));
  }

  /**
   * A header match written with nothing after its name was the exact text "null", which no caller sends: the route
   * never matched, in silence, and its calls went on to the next route. Written {@code { exact: }} it was refused.
   */
  @Test
  void aMatchWithNothingToMatchIsRefusedHoweverItIsWritten() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              routes:
                - match: { headers: { end-user: }, query-params: { v: { exact: } } }
                  to: { service: reviews }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.routes[0].match.headers.end-user: missing (expected: a value to match; "
                + "{ exact: \"\" } matches an empty value)",
            "mesh.services.reviews.routes[0].match.query-params.v.exact: missing (expected: a value to match)"));
  }
}
