package io.meshclient.core.internal.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: a balancer's per-list state (least-request's table, ring-hash's ring, weighted round-robin's
 * schedule) is built when the discovery delivers the list, on its thread, and the first pick after the
 * update finds it ready instead of building it on a caller's thread.
 */
class PreparedOnUpdateTest {
  private static final RequestContext USER = new RequestContext() {
    @Override public String method() { return "GET"; }
    @Override public String path() { return "/"; }
    @Override public String header(String n) { return n.equalsIgnoreCase("x-user") ? "jason" : null; }
    @Override public <T> T attribute(Class<T> key) { return null; }
  };

  private static List<ServiceInstance> instances(int n, String generation) {
    List<ServiceInstance> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(ServiceInstance.builder("api", "127.0.0.1", 8000 + i).id(generation + i).weight(1 + i % 3).build());
    }
    return List.copyOf(out);
  }

  @Test
  void leastRequestsTableIsBuiltOnDeliveryAndKeepsTheStatsOfInstancesItShares() {
    LeastRequestBalancer balancer = new LeastRequestBalancer(null);
    List<ServiceInstance> first = instances(1_000, "a");
    balancer.onInstances(first);
    InstanceTable built = balancer.table;
    assertThat(built.instances).isSameAs(first);
    balancer.onStart(first.get(3));

    balancer.pick(first, USER);
    assertThat(balancer.table).isSameAs(built);

    List<ServiceInstance> second = new ArrayList<>(first);
    second.set(0, ServiceInstance.builder("api", "127.0.0.1", 9999).id("b0").build());
    second = List.copyOf(second);
    balancer.onInstances(second);
    assertThat(balancer.table.instances).isSameAs(second);
    assertThat(balancer.table.stats(first.get(3)).inFlight.get()).isEqualTo(1);
  }

  @Test
  void ringHashsRingIsBuiltOnDelivery() {
    RingHashBalancer balancer = new RingHashBalancer("x-user", null, 64);
    List<ServiceInstance> list = instances(500, "a");
    balancer.onInstances(list);
    RingHashBalancer.Ring built = balancer.ring;
    assertThat(built.instances()).isSameAs(list);
    ServiceInstance picked = balancer.pick(list, USER);
    assertThat(balancer.ring).isSameAs(built);
    assertThat(balancer.pick(list, USER)).isSameAs(picked);
  }

  @Test
  void weightedRoundRobinsScheduleIsBuiltOnDelivery() {
    WeightedRoundRobinBalancer balancer = new WeightedRoundRobinBalancer();
    List<ServiceInstance> list = instances(300, "a");
    balancer.onInstances(list);
    WeightedRoundRobinBalancer.Schedule built = balancer.schedule;
    assertThat(built.instances()).isSameAs(list);
    balancer.pick(list, USER);
    assertThat(balancer.schedule).isSameAs(built);
  }
}
