package io.meshclient.core.internal.balancer;

import io.meshclient.api.ServiceInstance;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-instance statistics for the instances of one list, by position. A table for a new list takes
 * over the statistics (the same objects) of instances it shares with the old one, so a request that
 * started before a discovery update is still counted down correctly after it. Shared means the same
 * object: the mesh canonicalizes every discovery snapshot, so an unchanged instance keeps its object and
 * a changed one (another weight, other metadata) starts with fresh statistics.
 */
final class InstanceTable {
  final List<ServiceInstance> instances;
  final InstanceStats[] stats;
  private final Map<ServiceInstance, InstanceStats> byInstance;

  private InstanceTable(List<ServiceInstance> instances, Map<ServiceInstance, InstanceStats> previous) {
    this.instances = instances;
    this.stats = new InstanceStats[instances.size()];
    this.byInstance = new IdentityHashMap<>(instances.size() * 2);
    for (int i = 0; i < stats.length; i++) {
      ServiceInstance instance = instances.get(i);
      InstanceStats s = previous.get(instance);
      stats[i] = s != null ? s : new InstanceStats();
      byInstance.put(instance, stats[i]);
    }
  }

  static InstanceTable empty() {
    return new InstanceTable(List.of(), Map.of());
  }

  /** A table for {@code newInstances} that keeps the statistics of the instances it shares with this one. */
  InstanceTable next(List<ServiceInstance> newInstances) {
    return new InstanceTable(newInstances, byInstance);
  }

  /** The statistics of {@code instance}, or null if it is not in this list. */
  InstanceStats stats(ServiceInstance instance) {
    return byInstance.get(instance);
  }
}
