package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** mesh.yaml {@code subset-policies.<subset>}: the keys a subset may set apart, and errors naming the full key. */
@Timeout(10)
class SubsetPoliciesConfigTest {
  private static MeshConfig read(String v2Policy) {
    return MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 }, v2: { version: v2 } }
              subset-policies:
                v2: %s
        """.formatted(v2Policy), n -> null);
  }

  @Test
  void aSubsetPolicyReadsOutlierDetectionConcurrencyConnectTimeoutAndSlowStart() {
    SubsetPolicyConfig v2 = read("""
        {
                  outlier-detection: { consecutive-failures: 1, base-ejection: 1m, max-ejected: 100% },
                  max-concurrent-requests: 2,
                  connect-timeout: 250ms,
                  slow-start: { window: 10s },
                  load-balancer: round-robin
                }""").service("reviews").subsetPolicies().get("v2");
    assertThat(v2.outlierDetection()).isEqualTo(new OutlierConfig(1, Duration.ofMinutes(1),
        OutlierConfig.DEFAULT.maxEjection(), 100, OutlierConfig.DEFAULT.panicThresholdPercent(), 0));
    assertThat(v2.maxConcurrentRequests()).isEqualTo(2);
    assertThat(v2.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(v2.slowStart()).isEqualTo(SlowStartConfig.of(Duration.ofSeconds(10)));
    assertThat(v2.loadBalancer().name()).isEqualTo("round-robin");
  }

  @Test
  void keysLeftOutAreTheServices() {
    SubsetPolicyConfig v2 = read("{ outlier-detection: { enabled: false } }").service("reviews").subsetPolicies()
        .get("v2");
    assertThat(v2.outlierDetection()).isEqualTo(ServiceConfig.OUTLIER_DETECTION_OFF);
    assertThat(v2.maxConcurrentRequests()).as("0: the service's cap and count").isZero();
    assertThat(v2.connectTimeout()).isNull();
    assertThat(v2.slowStart()).isNull();
    assertThat(v2.loadBalancer()).isNull();
  }

  @Test
  void aSubsetPolicyReadsTlsAndLocalityAndTurnsEitherOff() {
    SubsetPolicyConfig v2 = read("{ tls: { trust: ca.pem, cert-chain: client.pem, peer-identity: "
        + "\"spiffe://prod/ns/default/sa/reviews\" }, locality: { zone: z-a, failover: [z-b] } }")
        .service("reviews").subsetPolicies().get("v2");
    assertThat(v2.tls()).isEqualTo(new TlsConfig("ca.pem", "client.pem", null, "spiffe://prod/ns/default/sa/reviews"));
    assertThat(v2.locality()).isEqualTo(new LocalityConfig("z-a", "", LocalityConfig.Mode.FAILOVER,
        java.util.List.of("z-b"), java.util.Map.of()));
    SubsetPolicyConfig off = read("{ tls: { enabled: false }, locality: { enabled: false } }").service("reviews")
        .subsetPolicies().get("v2");
    assertThat(off.tls()).isEqualTo(SubsetPolicyConfig.TLS_OFF);
    assertThat(off.locality()).isEqualTo(SubsetPolicyConfig.LOCALITY_OFF);
  }

  @Test
  void badValuesNameTheFullKeyTheValueAndTheExpectation() {
    assertThatThrownBy(() -> read("{ outlier-detection: { base-ejection: 0s, max-ejected: 150% } }"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.outlier-detection.base-ejection: 0ms "
            + "(expected: a positive duration up to 596h)")
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.outlier-detection.max-ejected: 150 "
            + "(expected: a percentage from 0% to 100%)");
    assertThatThrownBy(() -> read("{ max-concurrent-requests: 0, connect-timeout: 0ms }"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.max-concurrent-requests: 0 (expected: > 0)")
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.connect-timeout: 0ms (expected: ");
    assertThatThrownBy(() -> read("{ outlier-detection: { ejection-interval: 10s } }"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.outlier-detection.ejection-interval: unknown "
            + "key (expected: one of [base-ejection, consecutive-failures, consecutive-gateway-errors, enabled, "
            + "failure-percentage, interval, max-ejected, max-ejection, panic-threshold, slow-ejection, success-rate])");
    assertThatThrownBy(() -> read("{ rate-limit: { rate: 10/s } }"))
        .as("rate limits are the service's and the routes'")
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.rate-limit: unknown key (expected: one of "
            + "[connect-timeout, load-balancer, locality, max-concurrent-requests, outlier-detection, slow-start, "
            + "tls]");
    assertThatThrownBy(() -> read("{ tls: { trust: ca.pem, enabled: maybe }, locality: { mode: distribute } }"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.tls.enabled: maybe (expected: true or false)")
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.locality.distribute: {} (expected: zones with "
            + "percents that sum to 100)");
    assertThatThrownBy(() -> read("{ tls: { cert-chain: client.pem } }"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.tls.trust: missing (expected: the location "
            + "of a PEM CA bundle, such as file:/etc/mesh/ca.pem)");
    assertThatThrownBy(() -> read("{ tls: { trust: ca.pem, peer-identity: \"spiffe://prod\" } }"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.tls.peer-identity: spiffe://prod (expected: "
            + "a SPIFFE ID such as spiffe://prod/ns/default/sa/reviews, or a DNS name (");
    assertThatThrownBy(() -> read("{ load-balancer: no-such-balancer }"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.load-balancer: no-such-balancer (expected: "
            + "one of ");
  }

  @Test
  void aSubsetLocalityDistributingByZoneWithFailoverZonesIsRefusedRatherThanIgnoringThem() {
    assertThatThrownBy(() -> read("{ locality: { zone: z-a, mode: distribute, distribute: { z-a: 80, z-b: 20 }, "
        + "failover: [z-c] } }"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.subset-policies.v2.locality.failover: [z-c] (expected: only with mode: "
            + "failover)");
  }
}
