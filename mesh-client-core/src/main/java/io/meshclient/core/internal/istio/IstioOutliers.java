package io.meshclient.core.internal.istio;

import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.ServiceConfig;
import java.time.Duration;

/** Maps a {@code trafficPolicy.outlierDetection} (Istio's OutlierDetection) onto an {@link OutlierConfig}. */
final class IstioOutliers {
  private IstioOutliers() {}

  /**
   * Istio's defaults: 5 consecutive 5xx (Envoy's default when the rule leaves it out, even next to
   * consecutiveGatewayErrors), gateway errors not counted apart, 30s base ejection, at most 10% ejected,
   * min health 0%.
   */
  static OutlierConfig outliers(SpecNode od) {
    if (od == null) {
      return null;
    }
    od.fields("consecutive5xxErrors", "consecutiveErrors", "consecutiveGatewayErrors", "interval", "baseEjectionTime",
        "maxEjectionPercent", "minHealthPercent", "splitExternalLocalOriginErrors", "consecutiveLocalOriginFailures");
    od.unsupported("splitExternalLocalOriginErrors", "separate counts of local and remote failures");
    od.unsupported("consecutiveLocalOriginFailures", "separate counts of local and remote failures");
    od.duration("interval", Duration.ofMillis(1)); // checked; consecutive failures eject at once, as Envoy's do
    // Istio takes any uint32; the mesh's own bound, checked here, names the field the user wrote
    Integer consecutive = od.integer("consecutive5xxErrors", 0, OutlierConfig.MAX_CONSECUTIVE);
    // Deprecated, and ignored by pilot since consecutive5xxErrors and consecutiveGatewayErrors came (its validation
    // only warns): taken as it is in Istio, where consecutiveErrors: 1 leaves Envoy's 5 consecutive 5xx in force.
    Integer legacy = od.integer("consecutiveErrors", Integer.MIN_VALUE, Integer.MAX_VALUE); // Istio's int32
    if (legacy != null && legacy != 0) {
      od.loading.ignored.add(od.resource.label() + " (" + od.resource.file() + "): " + od.key("consecutiveErrors")
          + ", as Istio ignores it (Istio: \"outlier detection consecutive errors is deprecated, use "
          + "consecutiveGatewayErrors or consecutive5xxErrors instead\")");
    }
    Integer gateway = od.integer("consecutiveGatewayErrors", 0, OutlierConfig.MAX_CONSECUTIVE);
    Duration base = od.duration("baseEjectionTime", Duration.ofMillis(1));
    Integer maxPercent = od.integer("maxEjectionPercent", 0, 100);
    Integer minHealth = od.integer("minHealthPercent", 0, 100);
    int failures = consecutive == null ? 5 : consecutive;
    int gatewayErrors = gateway == null ? 0 : gateway;
    if (failures == 0 && gatewayErrors == 0) {
      return ServiceConfig.OUTLIER_DETECTION_OFF;
    }
    Duration baseEjection = base == null ? Duration.ofSeconds(30) : base;
    Duration maxEjection = OutlierConfig.DEFAULT.maxEjection().compareTo(baseEjection) < 0 ? baseEjection
        : OutlierConfig.DEFAULT.maxEjection();
    return new OutlierConfig(failures, baseEjection, maxEjection, maxPercent == null ? 10 : maxPercent,
        minHealth == null ? 0 : minHealth, gatewayErrors);
  }
}
