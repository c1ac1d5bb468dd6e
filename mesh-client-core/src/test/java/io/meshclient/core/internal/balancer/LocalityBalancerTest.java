package io.meshclient.core.internal.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.LocalityConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Zone-aware routing as Istio's localityLbSetting: priority levels with overprovisioning 1.4. */
class LocalityBalancerTest {
  private static final int PICKS = 20_000;

  /** Ten instances in each of zone-a (the caller's), zone-b (same region r1) and zone-c. */
  private static List<ServiceInstance> fleet() {
    List<ServiceInstance> all = new ArrayList<>();
    for (String zone : List.of("zone-a", "zone-b", "zone-c")) {
      for (int i = 0; i < 10; i++) {
        String region = zone.equals("zone-c") ? "r2" : "r1";
        all.add(new ServiceInstance(zone + "-" + i, "reviews", "10.0." + zone.charAt(5) + "." + i, 8080, false, 1,
            Map.of(LocalityLevels.REGION_LABEL, region), zone));
      }
    }
    return List.copyOf(all);
  }

  /** {@code all} without the first {@code ejected} instances of {@code zone}. */
  private static List<ServiceInstance> eject(List<ServiceInstance> all, String zone, int ejected) {
    List<ServiceInstance> healthy = new ArrayList<>();
    int seen = 0;
    for (ServiceInstance instance : all) {
      if (instance.zone().equals(zone) && seen++ < ejected) {
        continue;
      }
      healthy.add(instance);
    }
    return List.copyOf(healthy);
  }

  private static LoadBalancer balancer(LocalityConfig config, List<ServiceInstance> all) {
    LoadBalancer lb = Balancers.locality(config, RoundRobinBalancer::new, new SplittableRandom(42));
    ((InstanceListListener) lb).onInstances(all);
    return lb;
  }

  private static Map<String, Double> zoneShares(LoadBalancer lb, List<ServiceInstance> candidates) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < PICKS; i++) {
      counts.merge(lb.pick(candidates, null).zone(), 1, Integer::sum);
    }
    Map<String, Double> shares = new HashMap<>();
    for (String zone : List.of("zone-a", "zone-b", "zone-c")) {
      shares.put(zone, counts.getOrDefault(zone, 0) * 100.0 / PICKS);
    }
    return shares;
  }

  @Test
  void callsStayInTheLocalZoneWhileItIsHealthy() {
    List<ServiceInstance> all = fleet();
    LoadBalancer lb = balancer(LocalityConfig.failover("zone-a"), all);
    assertThat(zoneShares(lb, all).get("zone-a")).isGreaterThanOrEqualTo(95.0);
    // 80% healthy: 80 × 1.4 = 112, still every call.
    assertThat(zoneShares(lb, eject(all, "zone-a", 2)).get("zone-a")).isGreaterThanOrEqualTo(95.0);
  }

  @Test
  void asTheLocalZoneDegradesTheSplitFollowsTheOverprovisioningFormula() {
    List<ServiceInstance> all = fleet();
    LocalityConfig config = new LocalityConfig("zone-a", "r1", LocalityConfig.Mode.FAILOVER, null, null);
    LoadBalancer lb = balancer(config, all);
    // zone-a 50% healthy: 70% local, the region (zone-b) the other 30%.
    Map<String, Double> half = zoneShares(lb, eject(all, "zone-a", 5));
    assertThat(half.get("zone-a")).isCloseTo(70.0, within(3.0));
    assertThat(half.get("zone-b")).isCloseTo(30.0, within(3.0));
    assertThat(half.get("zone-c")).isCloseTo(0.0, within(3.0));
    // zone-a 20%, zone-b 50% healthy: 28 local, min(72, 70) = 70 region, the remaining 2 to zone-c.
    Map<String, Double> worse = zoneShares(lb, eject(eject(all, "zone-a", 8), "zone-b", 5));
    assertThat(worse.get("zone-a")).isCloseTo(28.0, within(3.0));
    assertThat(worse.get("zone-b")).isCloseTo(70.0, within(3.0));
    assertThat(worse.get("zone-c")).isCloseTo(2.0, within(3.0));
    // Everyone at 10%: 14 + 14 + 14 = 42, normalised to thirds.
    Map<String, Double> all10 = zoneShares(lb, eject(eject(eject(all, "zone-a", 9), "zone-b", 9), "zone-c", 9));
    assertThat(all10.get("zone-a")).isCloseTo(33.3, within(3.0));
    assertThat(all10.get("zone-c")).isCloseTo(33.3, within(3.0));
  }

  @Test
  void failoverFollowsTheConfiguredOrder() {
    List<ServiceInstance> all = fleet();
    LocalityConfig config = new LocalityConfig("zone-a", "r1", LocalityConfig.Mode.FAILOVER,
        List.of("zone-c", "zone-b"), null);
    LoadBalancer lb = balancer(config, all);
    Map<String, Double> localDown = zoneShares(lb, eject(all, "zone-a", 10));
    assertThat(localDown.get("zone-c")).isGreaterThanOrEqualTo(95.0); // zone-c first, though zone-b shares the region
    Map<String, Double> bothDown = zoneShares(lb, eject(eject(all, "zone-a", 10), "zone-c", 10));
    assertThat(bothDown.get("zone-b")).isGreaterThanOrEqualTo(95.0);
  }

  @Test
  void distributeSendsTheConfiguredSharesAndMovesAnEmptyZonesShareToTheOthers() {
    List<ServiceInstance> all = fleet();
    LocalityConfig config = new LocalityConfig("zone-a", "", LocalityConfig.Mode.DISTRIBUTE, null,
        Map.of("zone-a", 60, "zone-b", 30, "zone-c", 10));
    LoadBalancer lb = balancer(config, all);
    Map<String, Double> shares = zoneShares(lb, all);
    assertThat(shares.get("zone-a")).isCloseTo(60.0, within(3.0));
    assertThat(shares.get("zone-b")).isCloseTo(30.0, within(3.0));
    Map<String, Double> noB = zoneShares(lb, eject(all, "zone-b", 10));
    assertThat(noB.get("zone-a")).isCloseTo(85.7, within(3.0));
    assertThat(noB.get("zone-c")).isCloseTo(14.3, within(3.0));
  }
}
