package io.meshclient.core.internal.istio;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The instances ServiceEntries list, as a discovery the mesh watches like any other. Services name it
 * explicitly ({@code discovery: istio-service-entries}); it is never assigned to a service by default.
 * {@link #update} pushes a new snapshot to every watcher of a service whose instances changed. Thread-safe.
 */
public final class ServiceEntryDiscovery implements ServiceDiscovery {
  /** The name services refer to it by. */
  public static final String NAME = "istio-service-entries";

  private volatile Map<String, List<ServiceInstance>> instances = Map.of();
  private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();

  /** Replaces every service's instances, telling the watchers of those that changed. */
  public synchronized void update(Map<String, List<ServiceInstance>> next) {
    Map<String, List<ServiceInstance>> previous = instances;
    instances = Map.copyOf(next);
    next.forEach((service, list) -> {
      if (!list.equals(previous.get(service))) {
        listeners.getOrDefault(service, List.of()).forEach(l -> l.onSnapshot(List.copyOf(list)));
      }
    });
  }

  /** The instances by service, as last updated. */
  public Map<String, List<ServiceInstance>> instances() {
    return instances;
  }

  @Override
  public Watch watch(String service, Listener listener) {
    listeners.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>()).add(listener);
    List<ServiceInstance> current = instances.get(service);
    if (current != null) {
      listener.onSnapshot(current);
    }
    return () -> {
      List<Listener> watching = listeners.get(service);
      if (watching != null) {
        watching.remove(listener);
      }
    };
  }

  @Override
  public Set<String> knownServices() {
    return instances.keySet();
  }

  @Override
  public void close() {
    listeners.clear();
  }
}
