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
}
