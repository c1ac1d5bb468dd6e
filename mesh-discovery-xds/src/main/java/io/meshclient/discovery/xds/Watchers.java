package io.meshclient.discovery.xds;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/** The discovery listeners of each service's watches, and the delivery of its instances to them; on the xDS thread. */
final class Watchers {
  private static final Logger LOG = Logger.getLogger(XdsClient.class.getName());

  private final Map<String, List<ServiceDiscovery.Listener>> listeners = new HashMap<>();

  /** Adds {@code listener} to {@code service}'s, and delivers it the service's {@code instances} now. */
  void add(String service, ServiceDiscovery.Listener listener, List<ServiceInstance> instances) {
    listeners.computeIfAbsent(service, s -> new ArrayList<>()).add(listener);
    deliver(service, listener, instances);
  }

  /** Removes {@code listener}; whether it was {@code service}'s last. */
  boolean removeLast(String service, ServiceDiscovery.Listener listener) {
    List<ServiceDiscovery.Listener> l = listeners.get(service);
    if (l == null || !l.remove(listener) || !l.isEmpty()) {
      return false;
    }
    listeners.remove(service);
    return true;
  }

  /** Delivers {@code instances} to every listener of {@code service}. */
  void deliver(String service, List<ServiceInstance> instances) {
    for (ServiceDiscovery.Listener l : listeners.getOrDefault(service, List.of())) {
      deliver(service, l, instances);
    }
  }

  /** A watch that throws is the watcher's problem, as Consul's and Kubernetes': not a NACK, nor a half-applied update. */
  private static void deliver(String service, ServiceDiscovery.Listener l, List<ServiceInstance> instances) {
    try {
      l.onSnapshot(instances);
    } catch (RuntimeException e) {
      LOG.warning(() -> "xDS: a listener of the watch of '" + service + "' failed: " + e);
    }
  }
}
