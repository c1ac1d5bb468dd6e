package io.meshclient.core.internal.balancer;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * nginx's smooth weighted round-robin, made lock-free: the whole cycle (one period of the smooth
 * sequence) is computed once per instance list, and {@link #pick} walks it with an atomic counter.
 * Weights are reduced by their greatest common divisor; a cycle longer than {@value #MAX_CYCLE} is
 * scaled down proportionally, keeping every positive weight at least 1. Instances of weight 0 get no
 * traffic unless all weights are 0, in which case all are taken in turn.
 */
final class WeightedRoundRobinBalancer implements LoadBalancer, InstanceListListener {
  static final int MAX_CYCLE = 4096;

  private final AtomicInteger next = new AtomicInteger();
  volatile Schedule schedule = new Schedule(List.of(), new int[0]);

  /** Builds the schedule of a subset's new list on the discovery's thread, not on the first call after it. */
  @Override
  public void onInstances(List<ServiceInstance> all) {
    if (!all.isEmpty() && schedule.instances != all) {
      schedule = new Schedule(all, cycle(all));
    }
  }

  @Override
  public ServiceInstance pick(List<ServiceInstance> instances, RequestContext context) {
    Schedule s = schedule;
    if (s.instances != instances) {
      s = new Schedule(instances, cycle(instances));
      schedule = s;
    }
    return instances.get(s.order[(next.getAndIncrement() & Integer.MAX_VALUE) % s.order.length]);
  }

  static int[] cycle(List<ServiceInstance> instances) {
    int n = instances.size();
    long[] weights = new long[n];
    long total = 0;
    long gcd = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = instances.get(i).weight();
      total += weights[i];
      gcd = gcd(gcd, weights[i]);
    }
    if (total == 0) {
      java.util.Arrays.fill(weights, 1);
      total = n;
      gcd = 1;
    }
    total = 0;
    for (int i = 0; i < n; i++) {
      weights[i] /= gcd;
      total += weights[i];
    }
    if (total > MAX_CYCLE) {
      long scaled = 0;
      for (int i = 0; i < n; i++) {
        weights[i] = weights[i] == 0 ? 0 : Math.max(1, weights[i] * MAX_CYCLE / total);
        scaled += weights[i];
      }
      total = scaled;
    }
    int[] order = new int[(int) total];
    long[] current = new long[n];
    for (int slot = 0; slot < order.length; slot++) {
      int best = -1;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (weights[i] > 0 && (best < 0 || current[i] > current[best])) {
          best = i;
        }
      }
      current[best] -= total;
      order[slot] = best;
    }
    return order;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  record Schedule(List<ServiceInstance> instances, int[] order) {}

  /** Provides {@code weighted-round-robin}. */
  public static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return "weighted-round-robin";
    }

    @Override
    public LoadBalancer create(BalancerContext context) {
      BalancerOptions.allowOnly(context, java.util.Set.of()); // an option here would be ignored
      return new WeightedRoundRobinBalancer();
    }
  }
}
