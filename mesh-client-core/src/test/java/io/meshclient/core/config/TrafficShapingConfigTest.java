package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code slow-start} and {@code locality} blocks of a service. */
class TrafficShapingConfigTest {

  @Test
  void slowStartAndLocalityAreReadWithTheirDefaults() throws Exception {
    MeshConfig config = ConfigValidationTest.yaml("""
        mesh:
          services:
            reviews:
              load-balancer: round-robin
              slow-start: { window: 30s }
              locality: { zone: eu-west-1a, region: eu-west-1, failover: [eu-west-1b] }
        """);
    ServiceConfig reviews = config.service("reviews");
    assertThat(reviews.slowStart()).isEqualTo(new SlowStartConfig(Duration.ofSeconds(30), 1.0, 10));
    assertThat(reviews.locality()).isEqualTo(new LocalityConfig("eu-west-1a", "eu-west-1",
        LocalityConfig.Mode.FAILOVER, List.of("eu-west-1b"), Map.of()));
  }

  @Test
  void failoverRegionsNameTheRegionEachCallersRegionFailsOverTo() throws Exception {
    LocalityConfig locality = ConfigValidationTest.yaml("""
        mesh:
          services:
            reviews:
              locality: { zone: eu-west-1a, region: eu-west-1, failover-regions: { eu-west-1: us-east-1 } }
        """).service("reviews").locality();
    assertThat(locality.failoverRegions()).isEqualTo(Map.of("eu-west-1", "us-east-1"));
    assertThat(locality.failoverRegion()).isEqualTo("us-east-1");
    assertThatThrownBy(() -> ConfigValidationTest.yaml("""
        mesh:
          services:
            reviews:
              locality: { zone: eu-west-1a, failover-regions: { eu-west-1: us-east-1 } }
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.locality.region: missing (expected: the caller's region, which "
            + "failover-regions needs)");
  }

  @Test
  void everyBadValueIsNamedWithItsFullKey() {
    assertThatThrownBy(() -> ConfigValidationTest.yaml("""
        mesh:
          services:
            reviews:
              slow-start: { window: 2h, aggression: 0 }
            ratings:
              slow-start: { aggression: 2, min-weight-percent: 120 }
            details:
              locality: { zone: a, mode: nearest }
            productpage:
              locality: { zone: a, mode: distribute, distribute: { a: 70, b: 20 } }
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.slow-start.window: 2h (expected: between 1ms and 1h)")
        .hasMessageContaining("mesh.services.ratings.slow-start.window: missing (expected: a duration such as 30s)")
        .hasMessageContaining("mesh.services.details.locality.mode: nearest (expected: failover or distribute)")
        .hasMessageContaining("mesh.services.productpage.locality.distribute: {a=70, b=20} "
            + "(expected: zones with percents that sum to 100)");
  }

  @Test
  void slowStartFactorIsEnvoysFormula() {
    SlowStartConfig config = new SlowStartConfig(Duration.ofSeconds(100), 2.0, 10);
    assertThat(config.factor(Duration.ofSeconds(25).toNanos())).isEqualTo(0.5);
    assertThat(config.factor(Duration.ofMillis(500).toNanos())).isEqualTo(0.1); // sqrt(0.005) < 10%
    assertThat(config.factor(Duration.ofSeconds(100).toNanos())).isEqualTo(1.0);
  }

  /**
   * A configuration built in Java passes the same rules as mesh.yaml: a slow-start window past {@code
   * Duration.toNanos}'s range validated, then threw ArithmeticException out of every call.
   */
  @Test
  void slowStartAndLocalityBuiltInJavaAreValidatedAsMeshYamlIs() {
    assertThatThrownBy(() -> MeshConfig.builder()
        .service(ServiceConfig.builder("reviews").loadBalancer(BalancerConfig.named("round-robin"))
            .slowStart(new SlowStartConfig(Duration.ofDays(300_000), Double.NaN, 150))
            .locality(new LocalityConfig("a", "", LocalityConfig.Mode.DISTRIBUTE, List.of("b"), Map.of("a", 50)))
            .subset("v1", Map.of("version", "v1"))
            .subsetPolicy("v1", SubsetPolicyConfig.builder().slowStart(new SlowStartConfig(Duration.ZERO, 0, 10))
                .locality(new LocalityConfig("a", "", LocalityConfig.Mode.FAILOVER, List.of(), Map.of("a", 100),
                    Map.of("eu", "us")))
                .build())
            .build())
        .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.slow-start.window: 7200000h (expected: between 1ms and 1h)")
        .hasMessageContaining("mesh.services.reviews.slow-start.aggression: NaN (expected: above 0 up to 10)")
        .hasMessageContaining("mesh.services.reviews.slow-start.min-weight-percent: 150.0 (expected: from 0 up to 100)")
        .hasMessageContaining("mesh.services.reviews.locality.distribute: {a=50} (expected: zones with percents that "
            + "sum to 100)")
        .hasMessageContaining("mesh.services.reviews.locality.failover: [b] (expected: only with mode: failover)")
        .hasMessageContaining("mesh.services.reviews.subset-policies.v1.slow-start.window: 0ms (expected: between 1ms "
            + "and 1h)")
        .hasMessageContaining("mesh.services.reviews.subset-policies.v1.slow-start.aggression: 0.0 (expected: above 0 "
            + "up to 10)")
        .hasMessageContaining("mesh.services.reviews.subset-policies.v1.locality.distribute: {a=100} (expected: only "
            + "with mode: distribute)")
        .hasMessageContaining("mesh.services.reviews.subset-policies.v1.locality.region: missing (expected: the "
            + "caller's region, which failover-regions needs)");
  }
}
