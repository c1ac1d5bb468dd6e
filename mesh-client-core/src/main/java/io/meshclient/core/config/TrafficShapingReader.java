package io.meshclient.core.config;

import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a service's {@code slow-start} and {@code locality} blocks, naming the full key of every problem.
 * The keys are declared in {@link MeshKeys#SLOW_START} and {@link MeshKeys#LOCALITY}.
 */
final class TrafficShapingReader {
  private static final Duration MAX_WINDOW = Duration.ofHours(1);

  private TrafficShapingReader() {}

  static SlowStartConfig slowStart(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.SLOW_START);
    Duration window = node.duration("window");
    if (window == null) {
      node.report(node.key("window"), node.has("window") ? node.string("window") : "missing",
          "a duration such as 30s");
      return null;
    }
    if (window.compareTo(Duration.ofMillis(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      node.report(node.key("window"), node.string("window"), "between 1ms and 1h");
      return null;
    }
    double aggression = number(node, "aggression", SlowStartConfig.DEFAULT_AGGRESSION, 0, 10, false);
    double min = number(node, "min-weight-percent", SlowStartConfig.DEFAULT_MIN_WEIGHT_PERCENT, 0, 100, true);
    return new SlowStartConfig(window, aggression, min);
  }

  /**
   * The locality block; {@code env} supplies {@code MESH_ZONE} when no zone is set.
   *
   * @param off what {@code enabled: false} reads as: null for a service, {@link SubsetPolicyConfig#LOCALITY_OFF}
   *     for a subset
   */
  static LocalityConfig locality(ConfigNode node, Function<String, String> env, LocalityConfig off) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.LOCALITY);
    boolean enabled = node.enabled(); // off or not, every value is read and checked
    String zone = node.string("zone");
    if (zone == null || zone.isBlank()) {
      zone = env.apply("MESH_ZONE");
      if (zone != null && TrafficShapingValidator.hasControl(zone.trim())) {
        node.report(node.key("zone"), zone, TrafficShapingValidator.PLACE_EXPECTED + " (from the MESH_ZONE "
            + "environment variable)");
        return null;
      }
    }
    if (zone == null || zone.isBlank()) {
      zone = ""; // the discovery's callerZone() (Kubernetes: the Node's label), checked when the mesh builds
    }
    String modeText = node.string("mode");
    LocalityConfig.Mode mode = LocalityConfig.Mode.FAILOVER;
    if (modeText != null) {
      try {
        mode = LocalityConfig.Mode.valueOf(modeText.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        node.report(node.key("mode"), modeText, "failover or distribute");
        return null;
      }
    }
    List<String> failover = node.strings("failover");
    Map<String, Integer> distribute = new LinkedHashMap<>();
    int sum = 0;
    for (Map.Entry<String, String> e : node.stringMap("distribute").entrySet()) {
      try {
        int percent = Integer.parseInt(e.getValue().trim());
        if (percent < 0 || percent > 100) {
          throw new NumberFormatException();
        }
        distribute.put(e.getKey(), percent);
        sum += percent;
      } catch (NumberFormatException ex) {
        node.report(node.key("distribute." + e.getKey()), e.getValue(), "a whole percent from 0 to 100");
        return null;
      }
    }
    if (mode == LocalityConfig.Mode.DISTRIBUTE && (distribute.isEmpty() || sum != 100)) {
      node.report(node.key("distribute"), distribute, "zones with percents that sum to 100");
      return null;
    }
    if (mode == LocalityConfig.Mode.DISTRIBUTE && !failover.isEmpty()) { // fixed shares have no failover order
      node.report(node.key("failover"), failover, "only with mode: failover");
      return null;
    }
    if (mode == LocalityConfig.Mode.FAILOVER && !distribute.isEmpty()) {
      node.report(node.key("distribute"), distribute, "only with mode: distribute");
      return null;
    }
    Map<String, String> failoverRegions = node.stringMap("failover-regions");
    String region = node.string("region");
    if (!failoverRegions.isEmpty() && (region == null || region.isBlank())) {
      node.report(node.key("region"), "missing", "the caller's region, which failover-regions needs");
      return null;
    }
    if (!failoverRegions.isEmpty() && mode == LocalityConfig.Mode.DISTRIBUTE) {
      node.report(node.key("failover-regions"), failoverRegions, "only with mode: failover");
      return null;
    }
    return enabled ? new LocalityConfig(zone.trim(), region, mode, failover, distribute, failoverRegions) : off;
  }

  private static double number(ConfigNode node, String key, double absent, double min, double max,
      boolean minIncluded) {
    String text = node.string(key);
    if (text == null) {
      return absent;
    }
    String trimmed = text.trim();
    Double value = SettingValues.decimalNumber(trimmed.endsWith("%") ? trimmed.substring(0, trimmed.length() - 1)
        : trimmed);
    if (value != null && (minIncluded ? value >= min : value > min) && value <= max) {
      return value;
    }
    node.report(node.key(key), text, (minIncluded ? "from " : "above ") + (int) min + " up to " + (int) max);
    return absent;
  }
}
