package io.meshclient.core.internal.istio;

import io.meshclient.core.config.LocalityConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code localityLbSetting}: off, or failover by zone then region, with Istio's {@code failover}
 * regions. The caller's zone and region are the mesh's own (mesh.yaml {@code locality}, {@code
 * MESH_ZONE}, or the discovery's caller zone): a DestinationRule cannot name them.
 *
 * @param enabled false turns zone-aware routing off for the service (or subset)
 * @param failoverRegions Istio's {@code failover[].from} to {@code to}
 * @param failoverPath the key of {@code failover}, for the message when the caller's region is unknown
 */
record IstioLocality(boolean enabled, Map<String, String> failoverRegions, String failoverPath) {
  /** The service's locality with this setting laid over {@code base} (mesh.yaml's), or null when off. */
  LocalityConfig over(LocalityConfig base) {
    if (!enabled) {
      return null;
    }
    String zone = base != null ? base.zone() : System.getenv("MESH_ZONE"); // as mesh.yaml's reader does
    return new LocalityConfig(zone == null ? "" : zone.trim(), base == null ? "" : base.region(),
        LocalityConfig.Mode.FAILOVER, List.of(), Map.of(), failoverRegions);
  }

  /**
   * Istio's {@code localityLbSetting} onto the mesh's failover by zone, then region, then {@code failover}
   * region. Istio applies failover only next to {@code outlierDetection}; the mesh's locality works with
   * its own outlier detection, on unless turned off, and with the instances discovery lists.
   */
  static IstioLocality of(SpecNode setting) {
    if (setting == null) {
      return null;
    }
    setting.fields("enabled", "distribute", "failover", "failoverPriority");
    if (Boolean.FALSE.equals(setting.bool("enabled"))) {
      return new IstioLocality(false, Map.of(), null); // Istio ignores the rest
    }
    setting.unsupported("distribute", "weights per source locality: the mesh's locality.distribute gives one "
        + "caller's shares per zone (mesh.yaml mode: distribute)");
    setting.unsupported("failoverPriority", "failover ordered by labels: the mesh orders by zone and region");
    Map<String, String> regions = new LinkedHashMap<>();
    List<SpecNode> failover = setting.list("failover");
    for (SpecNode f : failover) {
      f.fields("from", "to");
      String from = f.string("from");
      String to = f.string("to");
      if (from == null || to == null) {
        f.loading.problem(f.resource, f.key(from == null ? "from" : "to"), "missing", "a region, such as us-east");
      } else if (from.contains("/") || to.contains("/")) {
        f.loading.problem(f.resource, f.key(from.contains("/") ? "from" : "to"), from.contains("/") ? from : to,
            "a region, without zone or sub-zone");
      } else if (from.equals(to)) {
        f.loading.problem(f.resource, f.key("to"), to, "a region other than from (" + from + ")");
      } else if (regions.put(from, to) != null) {
        f.loading.problem(f.resource, f.key("from"), from, "each from region once");
      }
    }
    return new IstioLocality(true, regions, failover.isEmpty() ? null : setting.key("failover"));
  }
}
