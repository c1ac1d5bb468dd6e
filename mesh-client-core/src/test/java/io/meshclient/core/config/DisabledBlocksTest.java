package io.meshclient.core.config;

import static io.meshclient.core.config.ConfigValidationTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * {@code enabled: false} next to other keys of a block turned the block off and dropped those keys unread: a bad
 * value there (a negative count, a percentage over 100, a duration that does not parse, an unknown mode) was
 * accepted, and surfaced only the day someone flipped the block back on. Every value of a block that is off is
 * still read and range-checked, naming its key; the block stays off.
 */
class DisabledBlocksTest {
  @Test
  void badValuesUnderADisabledBlockAreRefusedNamingEachKey() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 } }
              circuit-breaker: { enabled: false, failure-rate-threshold: 500%, open-for: soon }
              outlier-detection: { enabled: false, consecutive-failures: -5, base-ejection: banana,
                                   slow-ejection: { factor: 1 } }
              locality: { enabled: false, mode: sideways }
              subset-policies:
                v1: { outlier-detection: { enabled: false, max-ejected: 900% } }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.circuit-breaker.open-for: soon (expected: a duration such as 300ms, 2s, 5m, 1h or "
                + "PT2S)",
            "mesh.services.reviews.circuit-breaker.failure-rate-threshold: 500 (expected: a percentage from 1% to "
                + "100%)",
            "mesh.services.reviews.outlier-detection.base-ejection: banana (expected: a duration such as 300ms, 2s, "
                + "5m, 1h or PT2S)",
            "mesh.services.reviews.outlier-detection.consecutive-failures: -5 (expected: >= 0)",
            "mesh.services.reviews.outlier-detection.slow-ejection.factor: 1 (expected: 0 (off) or 2..1000)",
            "mesh.services.reviews.locality.mode: sideways (expected: failover or distribute)",
            "mesh.services.reviews.subset-policies.v1.outlier-detection.max-ejected: 900 (expected: a percentage "
                + "from 0% to 100%)"));
  }

  @Test
  void aDisabledBlockWithGoodValuesIsStillOff() throws Exception {
    MeshConfig config = yaml("""
        mesh:
          services:
            reviews:
              circuit-breaker: { enabled: false, failure-rate-threshold: 50%, open-for: 10s }
              outlier-detection: { enabled: false, consecutive-failures: 3, slow-ejection: { factor: 3 } }
              locality: { enabled: false, zone: eu-west-1a }
        """);
    ServiceConfig s = config.service("reviews");
    assertThat(s.circuitBreaker()).isNull();
    assertThat(s.outlierDetection()).isEqualTo(ServiceConfig.OUTLIER_DETECTION_OFF);
    assertThat(s.locality()).isNull();
  }
}
