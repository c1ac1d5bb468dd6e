package io.meshclient.core.balancer;

import io.meshclient.api.ServiceInstance;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-flight request counts for the instances of one list, by position. A table for a new list takes
 * over the counters (the same objects) of instances it shares with the old one, so a request that
 * started before a discovery update is still counted down correctly after it.
 */
final class InFlightTable {
  final List<ServiceInstance> instances;
  final AtomicInteger[] inFlight;
  private final Map<ServiceInstance, AtomicInteger> byInstance;

  private InFlightTable(List<ServiceInstance> instances, Map<ServiceInstance, AtomicInteger> previous) {
    this.instances = instances;
    this.inFlight = new AtomicInteger[instances.size()];
    this.byInstance = new IdentityHashMap<>(instances.size() * 2);
    for (int i = 0; i < inFlight.length; i++) {
      ServiceInstance instance = instances.get(i);
      AtomicInteger counter = previous.get(instance);
      if (counter == null) {
        counter = byEquality(previous, instance);
      }
      inFlight[i] = counter != null ? counter : new AtomicInteger();
      byInstance.put(instance, inFlight[i]);
    }
  }

  static InFlightTable empty() {
    return new InFlightTable(List.of(), Map.of());
  }

  /** A table for {@code newInstances} that keeps the counters of the instances it shares with this one. */
  InFlightTable next(List<ServiceInstance> newInstances) {
    return new InFlightTable(newInstances, byInstance);
  }

  /** The counter of {@code instance}, or null if it is not in this list. */
  AtomicInteger counter(ServiceInstance instance) {
    return byInstance.get(instance);
  }

  private static AtomicInteger byEquality(Map<ServiceInstance, AtomicInteger> previous, ServiceInstance instance) {
    for (Map.Entry<ServiceInstance, AtomicInteger> e : previous.entrySet()) {
      if (e.getKey().equals(instance)) {
        return e.getValue();
      }
    }
    return null;
  }
}
