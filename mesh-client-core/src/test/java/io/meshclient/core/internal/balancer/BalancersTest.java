package io.meshclient.core.internal.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.Providers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BalancersTest {
  private static final ClassLoader LOADER = BalancersTest.class.getClassLoader();
  private static final RequestContext REQUEST = new RequestContext() {
    @Override public String method() { return "GET"; }
    @Override public String path() { return "/"; }
    @Override public String header(String name) { return null; }
    @Override public <T> T attribute(Class<T> key) { return null; }
  };

  private static List<ServiceInstance> instances(int... weights) {
    List<ServiceInstance> list = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      list.add(new ServiceInstance("i" + i, "s", "127.0.0.1", 9000 + i, false, weights[i], Map.of(), ""));
    }
    return List.copyOf(list);
  }

  @Test
  void everyBuiltInBalancerAndAUserBalancerIsFoundByName() {
    assertThat(Providers.loadBalancerNames(LOADER))
        .containsExactly("first", "least-request", "peak-ewma", "random", "ring-hash", "round-robin",
            "weighted-round-robin");
    List<ServiceInstance> list = instances(1, 1, 1);
    for (String name : Providers.loadBalancerNames(LOADER)) {
      Map<String, String> options = name.equals("ring-hash") ? Map.of("hash-header", "x-user") : Map.of();
      LoadBalancer balancer = Providers.loadBalancer(name, "k", LOADER).create(new BalancerContext("s", "k", options));
      assertThat(list).contains(balancer.pick(list, REQUEST));
    }
    LoadBalancer first = Providers.loadBalancer("first", "k", LOADER).create(new BalancerContext("s", "k", Map.of()));
    assertThat(first.pick(list, REQUEST)).isSameAs(list.get(0));
  }

  @Test
  void unknownNameIsRefusedListingTheKnownOnes() {
    assertThatThrownBy(() -> Providers.loadBalancer("fastest", "mesh.services.a.load-balancer", LOADER))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.a.load-balancer: fastest (expected: one of "
            + "[first, least-request, peak-ewma, random, ring-hash, round-robin, weighted-round-robin])");
  }

  @Test
  void roundRobinTakesEachInTurn() {
    List<ServiceInstance> list = instances(1, 1, 1);
    LoadBalancer balancer = Balancers.roundRobin();
    for (int i = 0; i < 9; i++) {
      assertThat(balancer.pick(list, REQUEST)).isSameAs(list.get(i % 3));
    }
  }

  @Test
  void weightedRoundRobinIsSmoothAndHonoursWeights() {
    List<ServiceInstance> list = instances(5, 1, 1);
    LoadBalancer balancer = Balancers.weightedRoundRobin();
    StringBuilder sequence = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      sequence.append(list.indexOf(balancer.pick(list, REQUEST)));
    }
    // nginx's smooth sequence for {a:5, b:1, c:1}: a a b a c a a
    assertThat(sequence.toString()).isEqualTo("0010200");
    int[] counts = new int[3];
    for (int i = 0; i < 7000; i++) {
      counts[list.indexOf(balancer.pick(list, REQUEST))]++;
    }
    assertThat(counts).containsExactly(5000, 1000, 1000);
  }

  @Test
  void weightedRoundRobinSkipsZeroWeightsAndScalesHugeOnes() {
    List<ServiceInstance> list = instances(0, 1_000_000, 3_000_000);
    int[] cycle = WeightedRoundRobinBalancer.cycle(list);
    assertThat(cycle).hasSize(4);
    assertThat(cycle).containsOnly(1, 2);
    List<ServiceInstance> big = instances(100_000, 1, 99_999);
    int[] scaled = WeightedRoundRobinBalancer.cycle(big);
    assertThat(scaled.length).isLessThanOrEqualTo(WeightedRoundRobinBalancer.MAX_CYCLE + 3);
    assertThat(scaled).contains(1);
  }

  @Test
  void leastRequestPrefersTheInstanceWithFewerRequestsInFlight() {
    List<ServiceInstance> list = instances(1, 1);
    LoadBalancer balancer = Balancers.leastRequest(new SplittableRandom(1));
    balancer.pick(list, REQUEST);
    balancer.onStart(list.get(0));
    balancer.onStart(list.get(0));
    for (int i = 0; i < 100; i++) {
      assertThat(balancer.pick(list, REQUEST)).isSameAs(list.get(1));
    }
    balancer.onComplete(list.get(0), CallOutcome.SUCCESS, 1);
    balancer.onComplete(list.get(0), CallOutcome.SUCCESS, 1);
    balancer.onStart(list.get(1));
    assertThat(balancer.pick(list, REQUEST)).isSameAs(list.get(0));
  }

  @Test
  void leastRequestKeepsCountsAcrossADiscoveryUpdate() {
    List<ServiceInstance> list = instances(1, 1);
    LoadBalancer balancer = Balancers.leastRequest(new SplittableRandom(2));
    balancer.pick(list, REQUEST);
    balancer.onStart(list.get(0));
    List<ServiceInstance> updated = List.of(list.get(0), list.get(1),
        new ServiceInstance("i2", "s", "127.0.0.1", 9100, false, 1, Map.of(), ""));
    balancer.pick(updated, REQUEST);
    balancer.onStart(updated.get(2));
    balancer.onComplete(list.get(0), CallOutcome.SUCCESS, 1);
    // i0 finished after the update and counts back to 0; i2 is busy; so i0 and i1 are picked, never i2 over them
    for (int i = 0; i < 100; i++) {
      assertThat(balancer.pick(updated, REQUEST)).isNotSameAs(updated.get(2));
    }
  }
}
