package io.meshclient.core.internal.balancer;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.LocalityConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The priority levels of one candidate list and the share of calls each takes. Immutable.
 *
 * <p>Failover: level 0 is the caller's zone; then one level per {@code failover} zone in order, or, without
 * any, one level for the caller's region; then one level for the region {@code failover-regions} names for
 * the caller's, if any; the last level is every other instance. Level {@code i} takes
 * {@code min(left, 100 × min(1, 1.4 × healthy_i / total_i))} where {@code left} is what the levels before it
 * did not take; if all together take less than 100, the shares are scaled up to 100 (Envoy's normalised
 * total availability). Distribute: one level per listed zone, its configured percent if it has a healthy
 * instance, scaled to 100.
 */
final class LocalityLevels {
  static final String REGION_LABEL = "topology.kubernetes.io/region";

  final List<ServiceInstance> candidates;
  final List<ServiceInstance> all;
  /** The healthy instances of each level. */
  final List<ServiceInstance>[] lists;
  /** Cumulative shares, 0 to 1. */
  final double[] cumulative;
  /** The level taking every call, or -1. */
  final int only;

  /** How many levels {@code config} makes. */
  static int count(LocalityConfig config) {
    return config.mode() == LocalityConfig.Mode.DISTRIBUTE ? config.distribute().size()
        : 2 + (config.failover().isEmpty() ? (config.region().isEmpty() ? 0 : 1) : config.failover().size())
            + (config.failoverRegion() == null ? 0 : 1);
  }

  @SuppressWarnings("unchecked")
  LocalityLevels(LocalityConfig config, List<ServiceInstance> candidates, List<ServiceInstance> all) {
    this.candidates = candidates;
    this.all = all;
    int n = count(config);
    List<String> zones = zones(config);
    List<ServiceInstance>[] healthy = new List[n];
    int[] total = new int[n];
    for (int i = 0; i < n; i++) {
      healthy[i] = new ArrayList<>();
    }
    for (ServiceInstance instance : all) {
      int level = level(config, zones, instance);
      if (level >= 0) {
        total[level]++;
      }
    }
    for (ServiceInstance instance : candidates) {
      int level = level(config, zones, instance);
      if (level >= 0) {
        healthy[level].add(instance);
      }
    }
    double[] share = new double[n];
    double sum = 0;
    if (config.mode() == LocalityConfig.Mode.DISTRIBUTE) {
      for (int i = 0; i < n; i++) {
        share[i] = healthy[i].isEmpty() ? 0 : config.distribute().get(zones.get(i));
        sum += share[i];
      }
    } else {
      double left = 100;
      for (int i = 0; i < n; i++) {
        int t = Math.max(total[i], healthy[i].size());
        double available = t == 0 ? 0 : 100 * Math.min(1, LocalityConfig.OVERPROVISIONING * healthy[i].size() / t);
        share[i] = Math.min(left, available);
        left -= share[i];
        sum += share[i];
      }
    }
    this.lists = new List[n];
    this.cumulative = new double[n];
    int single = -1;
    int lastTaking = -1;
    double running = 0;
    for (int i = 0; i < n; i++) {
      lists[i] = List.copyOf(healthy[i]);
      double s = sum == 0 ? 0 : share[i] / sum;
      running += s;
      cumulative[i] = running;
      if (s > 0) {
        lastTaking = i;
      }
      if (s >= 1.0 - 1e-12) {
        single = i;
      }
    }
    for (int i = Math.max(0, lastTaking); i < n; i++) {
      cumulative[i] = 1.0; // rounding never sends a draw past the last level that takes calls
    }
    if (sum == 0) {
      // Nothing healthy in any level (or only in instances no level takes): the delegate sees all candidates.
      lists[n - 1] = candidates;
      single = n - 1;
    }
    this.only = single;
  }

  /** The zones of the levels before the last, in order (distribute: every level's zone). */
  private static List<String> zones(LocalityConfig config) {
    List<String> zones = new ArrayList<>();
    if (config.mode() == LocalityConfig.Mode.DISTRIBUTE) {
      zones.addAll(new java.util.TreeMap<>(config.distribute()).keySet());
    } else {
      zones.add(config.zone());
      zones.addAll(config.failover());
    }
    return zones;
  }

  private static int level(LocalityConfig config, List<String> zones, ServiceInstance instance) {
    int byZone = zones.indexOf(instance.zone());
    if (config.mode() == LocalityConfig.Mode.DISTRIBUTE) {
      return byZone;
    }
    if (byZone >= 0) {
      return byZone;
    }
    int last = count(config) - 1;
    String region = region(instance);
    if (config.failover().isEmpty() && !config.region().isEmpty() && config.region().equals(region)) {
      return 1;
    }
    if (config.failoverRegion() != null && config.failoverRegion().equals(region)
        && !config.region().equals(region)) {
      return last - 1;
    }
    return last;
  }

  static String region(ServiceInstance instance) {
    String region = instance.metadata().get(REGION_LABEL);
    return region != null ? region : instance.metadata().get("region");
  }

  /** Each level's share in percent. */
  double[] shares() {
    double[] shares = new double[cumulative.length];
    double previous = 0;
    for (int i = 0; i < shares.length; i++) {
      shares[i] = (cumulative[i] - previous) * 100;
      previous = cumulative[i];
    }
    return shares;
  }
}
