package io.meshclient.core.balancer;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.ServiceInstance;
import java.util.List;

/** A balancer that keeps {@link InstanceStats} per instance, rebuilt when it sees a new instance list. */
abstract class StatefulBalancer implements LoadBalancer {
  private volatile InstanceTable table = InstanceTable.empty();

  final InstanceTable table(List<ServiceInstance> instances) {
    InstanceTable t = table;
    if (t.instances != instances) {
      synchronized (this) {
        t = table;
        if (t.instances != instances) {
          t = t.next(instances);
          table = t;
        }
      }
    }
    return t;
  }

  @Override
  public void onStart(ServiceInstance instance) {
    InstanceStats s = table.stats(instance);
    if (s != null) {
      s.inFlight.incrementAndGet();
    }
  }

  @Override
  public void onComplete(ServiceInstance instance, CallOutcome outcome, long latencyNanos) {
    InstanceStats s = table.stats(instance);
    if (s != null) {
      s.inFlight.decrementAndGet();
      observe(s, outcome, latencyNanos);
    }
  }

  /** Hook for balancers that learn from latency. */
  void observe(InstanceStats stats, CallOutcome outcome, long latencyNanos) {}
}
