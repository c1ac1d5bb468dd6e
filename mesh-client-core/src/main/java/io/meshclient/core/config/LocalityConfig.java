package io.meshclient.core.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Zone-aware routing, modelled on Istio's {@code localityLbSetting}: where a caller in {@code zone} sends a
 * service's calls.
 *
 * <p>{@link Mode#FAILOVER}: priority levels as Istio generates them, each taking {@code min(100, healthy% ×
 * 1.4)} of what the levels before it left (Envoy's overprovisioning factor 1.4), normalised when the levels
 * together cannot take 100%: the caller's zone, then each zone of {@code failover} in order (or, without
 * it, the caller's {@code region}), then the region {@code failoverRegions} names for the caller's region
 * (Istio's {@code failover[{from, to}]}), then the rest. An ejected instance counts as unhealthy. While at least
 * 72% of the local zone is healthy, every call stays local.
 *
 * <p>{@link Mode#DISTRIBUTE}: fixed shares per zone ({@code distribute}), a zone without a healthy instance
 * giving its share to the others in proportion.
 *
 * @param zone the caller's zone (key {@code zone}; else {@code MESH_ZONE} from the environment; else, when
 *     empty, the service's discovery's {@link io.meshclient.api.ServiceDiscovery#callerZone()}, and building
 *     the mesh fails if it has none)
 * @param region the caller's region, or the empty string; instances name theirs in metadata {@code
 *     topology.kubernetes.io/region} or {@code region} (key {@code region})
 * @param mode {@code failover} (default) or {@code distribute} (key {@code mode})
 * @param failover zones to fail over to, in order, after the caller's (key {@code failover})
 * @param distribute percent of calls per zone, summing to 100, for {@code distribute} (key {@code
 *     distribute})
 * @param failoverRegions caller's region to the region its calls fail over to after every zone of the
 *     caller's region (key {@code failover-regions}; needs {@code region})
 */
public record LocalityConfig(String zone, String region, Mode mode, List<String> failover,
    Map<String, Integer> distribute, Map<String, String> failoverRegions) {
  /** Envoy's and Istio's overprovisioning factor. */
  public static final double OVERPROVISIONING = 1.4;

  public LocalityConfig {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(mode, "mode");
    region = region == null ? "" : region;
    failover = failover == null ? List.of() : List.copyOf(failover);
    distribute = distribute == null ? Map.of() : Map.copyOf(distribute);
    failoverRegions = failoverRegions == null ? Map.of() : Map.copyOf(failoverRegions);
  }

  /** Zone-aware routing without failover regions. */
  public LocalityConfig(String zone, String region, Mode mode, List<String> failover,
      Map<String, Integer> distribute) {
    this(zone, region, mode, failover, distribute, Map.of());
  }

  /** The region calls fail over to after the caller's region, or null. */
  public String failoverRegion() {
    return region.isEmpty() ? null : failoverRegions.get(region);
  }

  /** This configuration with the caller's zone {@code callerZone}. */
  public LocalityConfig withZone(String callerZone) {
    return new LocalityConfig(callerZone, region, mode, failover, distribute, failoverRegions);
  }

  /** Failover from {@code zone} through the region to the rest. */
  public static LocalityConfig failover(String zone) {
    return new LocalityConfig(zone, "", Mode.FAILOVER, List.of(), Map.of());
  }

  /** How calls are spread across zones. */
  public enum Mode {
    /** Priority levels: the caller's zone, the failover zones or region, the rest. */
    FAILOVER,
    /** Fixed shares per zone. */
    DISTRIBUTE
  }
}
