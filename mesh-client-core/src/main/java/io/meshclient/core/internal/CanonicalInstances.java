package io.meshclient.core.internal;

import io.meshclient.api.ServiceInstance;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A discovery's new instance list, with the objects of the instances that did not change kept. */
final class CanonicalInstances {
  private CanonicalInstances() {}

  /**
   * Reuses the previous object for every instance that did not change, so balancer state keyed by
   * identity survives. Instances are compared position by position first (discoveries deliver them in a
   * stable order), so an update with few changes allocates no index; a moved instance is found by id.
   * Returns {@code previous} itself when nothing changed.
   */
  static List<ServiceInstance> canonicalize(List<ServiceInstance> previous, List<ServiceInstance> snapshot) {
    int n = snapshot.size();
    ServiceInstance[] out = new ServiceInstance[n];
    Map<String, ServiceInstance> byId = null;
    boolean same = n == previous.size();
    for (int i = 0; i < n; i++) {
      ServiceInstance instance = snapshot.get(i);
      ServiceInstance old = i < previous.size() ? previous.get(i) : null;
      if (old != instance && (old == null || !old.id().equals(instance.id()))) {
        if (byId == null) {
          byId = new HashMap<>(previous.size() * 2);
          for (ServiceInstance p : previous) {
            byId.put(p.id(), p);
          }
        }
        old = byId.get(instance.id());
      }
      if (old != null && (old == instance || old.equals(instance))) {
        out[i] = old;
        same = same && old == previous.get(i); // same implies n == previous.size(), so i is in range
      } else {
        out[i] = instance;
        same = false;
      }
    }
    return same ? previous : List.of(out);
  }
}
