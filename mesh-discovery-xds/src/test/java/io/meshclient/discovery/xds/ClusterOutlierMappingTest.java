package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.type.v3.Percent;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.OutlierConfig.FailurePercentage;
import io.meshclient.core.config.OutlierConfig.SuccessRate;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A CDS cluster's outlier_detection as the mesh's, with Envoy's defaults for every unset field. */
class ClusterOutlierMappingTest {

  private static ClusterResource decode(OutlierDetection.Builder outliers) {
    return ClusterResource.decode(Any.pack(Resources.cluster("reviews").toBuilder().setOutlierDetection(outliers)
        .build()), Map.of());
  }

  private static UInt32Value u(int value) {
    return UInt32Value.of(value);
  }

  @Test
  void anEmptyOutlierDetectionIsEnvoysDefaultsSuccessRateIncluded() {
    ClusterResource c = decode(OutlierDetection.newBuilder());
    assertThat(c.outlier()).isEqualTo(new OutlierConfig(5, Duration.ofSeconds(30), Duration.ofSeconds(300), 10, 50, 0,
        OutlierConfig.SlowEjection.OFF, Duration.ofSeconds(10), FailurePercentage.OFF, new SuccessRate(1.9, 100, 5)));
    assertThat(c.notes()).isEmpty();
  }

  @Test
  void istiodsOutlierDetectionTurnsSuccessRateOffAndCountsGatewayErrorsAlone() {
    // what istiod sends for `outlierDetection: { consecutiveGatewayErrors: 3, consecutive5xxErrors: 0, interval: 5s }`
    ClusterResource c = decode(OutlierDetection.newBuilder().setEnforcingSuccessRate(u(0))
        .setConsecutive5Xx(u(0)).setEnforcingConsecutive5Xx(u(0))
        .setConsecutiveGatewayFailure(u(3)).setEnforcingConsecutiveGatewayFailure(u(100))
        .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(5)));
    assertThat(c.outlier().consecutiveFailures()).isZero();
    assertThat(c.outlier().consecutiveGatewayErrors()).isEqualTo(3);
    assertThat(c.outlier().successRate()).isEqualTo(SuccessRate.OFF);
    assertThat(c.outlier().interval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void anEnforcedFailurePercentageIsMappedWithItsOwnFields() {
    ClusterResource c = decode(OutlierDetection.newBuilder().setEnforcingFailurePercentage(u(100))
        .setFailurePercentageThreshold(u(20)).setFailurePercentageRequestVolume(u(30))
        .setFailurePercentageMinimumHosts(u(3)).setSuccessRateStdevFactor(u(2500)));
    assertThat(c.outlier().failurePercentage()).isEqualTo(new FailurePercentage(20, 30, 3));
    assertThat(c.outlier().successRate()).isEqualTo(new SuccessRate(2.5, 100, 5));
  }

  @Test
  void aPartialEnforcementIsNotedAndEnforcedFully() {
    ClusterResource c = decode(OutlierDetection.newBuilder().setEnforcingFailurePercentage(u(50)));
    assertThat(c.outlier().failurePercentage()).isEqualTo(new FailurePercentage(85, 50, 5));
    assertThat(c.notes()).containsExactly("cluster reviews: outlier_detection.enforcing_failure_percentage: 50% is "
        + "not implemented: every failure percentage outlier is ejected");
  }

  @Test
  void theClustersHealthyPanicThresholdIsThePanicThreshold() {
    ClusterResource c = ClusterResource.decode(Any.pack(Resources.cluster("reviews").toBuilder()
        .setOutlierDetection(OutlierDetection.getDefaultInstance())
        .setCommonLbConfig(Cluster.CommonLbConfig.newBuilder().setHealthyPanicThreshold(Percent.newBuilder()
            .setValue(0))).build()), Map.of());
    assertThat(c.outlier().panicThresholdPercent()).isZero();
    assertThat(c.notes()).isEmpty();
  }

  @Test
  void outOfRangeFieldsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> decode(OutlierDetection.newBuilder().setEnforcingSuccessRate(u(101))))
        .hasMessage("cluster reviews: outlier_detection.enforcing_success_rate: 101 (expected: 0..100)");
    assertThatThrownBy(() -> decode(OutlierDetection.newBuilder().setEnforcingFailurePercentage(u(100))
        .setFailurePercentageThreshold(u(0))))
        .hasMessage("cluster reviews: outlier_detection.failure_percentage_threshold: 0 (expected: 1..100)");
    assertThatThrownBy(() -> decode(OutlierDetection.newBuilder().setSuccessRateStdevFactor(u(-1))))
        .hasMessage("cluster reviews: outlier_detection.success_rate_stdev_factor: 2147483647 (expected: 1..100000)");
    assertThatThrownBy(() -> decode(OutlierDetection.newBuilder().setMaxEjectionPercent(u(-1))))
        .hasMessage("cluster reviews: outlier_detection.max_ejection_percent: 2147483647 (expected: 0..100)");
  }
}
