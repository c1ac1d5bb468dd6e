package io.meshclient.core.internal.balancer;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.ServiceInstance;

/** For tests in other packages: the calls a stateful balancer counts in flight, summed over its instances. */
public final class InFlightCounts {
  private InFlightCounts() {}

  /** The sum of {@code balancer}'s in-flight counts (a least-request or peak-EWMA balancer). */
  public static int total(LoadBalancer balancer) {
    InstanceTable table = ((StatefulBalancer) balancer).table;
    int sum = 0;
    for (ServiceInstance instance : table.instances) {
      sum += table.stats(instance).inFlight.get();
    }
    return sum;
  }
}
