package io.meshclient.core.internal.balancer;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.internal.InstanceIndex;
import java.util.List;

/**
 * Per-instance statistics for the instances of one list, by position. A table for a new list takes
 * over the statistics (the same objects) of instances it shares with the old one, so a request that
 * started before a discovery update is still counted down correctly after it. Shared means the same
 * object: the mesh canonicalizes every discovery snapshot, so an unchanged instance keeps its object and
 * a changed one (another weight, other metadata) starts with fresh statistics.
 */
final class InstanceTable {
  private static final InstanceTable EMPTY = new InstanceTable(InstanceIndex.empty());

  final List<ServiceInstance> instances;
  private final InstanceIndex<InstanceStats> stats;

  private InstanceTable(InstanceIndex<InstanceStats> stats) {
    this.instances = stats.instances();
    this.stats = stats;
  }

  static InstanceTable empty() {
    return EMPTY;
  }

  /**
   * A table for {@code newInstances} that keeps the statistics of the instances it shares with this one, else
   * takes those {@code fallback} has, else makes new ones.
   */
  InstanceTable next(List<ServiceInstance> newInstances, InstanceTable fallback) {
    return new InstanceTable(stats.next(newInstances, instance -> {
      InstanceStats known = fallback.stats(instance);
      return known != null ? known : new InstanceStats();
    }));
  }

  /** The statistics of the instance at {@code position} of {@link #instances}. */
  InstanceStats at(int position) {
    return stats.at(position);
  }

  /** The statistics of {@code instance}, or null if it is not in this list. */
  InstanceStats stats(ServiceInstance instance) {
    return stats.get(instance);
  }
}
