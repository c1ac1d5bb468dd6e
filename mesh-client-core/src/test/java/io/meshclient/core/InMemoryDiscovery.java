package io.meshclient.core;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A hand-written discovery for tests: {@link #set} pushes a new snapshot to every watcher. */
public final class InMemoryDiscovery implements ServiceDiscovery {
  private final Map<String, List<ServiceInstance>> instances = new ConcurrentHashMap<>();
  private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
  volatile boolean closed;
  private volatile String callerZone;

  /** The zone {@link #callerZone()} reports from now on. */
  public InMemoryDiscovery callerZone(String zone) {
    this.callerZone = zone;
    return this;
  }

  @Override
  public String callerZone() {
    return callerZone;
  }

  public InMemoryDiscovery set(String service, List<ServiceInstance> list) {
    instances.put(service, List.copyOf(list));
    listeners.getOrDefault(service, List.of()).forEach(l -> l.onSnapshot(List.copyOf(list)));
    return this;
  }

  /** Forgets {@code service}: it is no longer among {@link #knownServices()}; watchers get nothing more. */
  public InMemoryDiscovery remove(String service) {
    instances.remove(service);
    return this;
  }

  @Override
  public Watch watch(String service, Listener listener) {
    listeners.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>()).add(listener);
    List<ServiceInstance> current = instances.get(service);
    if (current != null) {
      listener.onSnapshot(current);
    }
    return () -> listeners.getOrDefault(service, List.of()).remove(listener);
  }

  /** This discovery listing no service up front ({@link #knownServices()} empty), as a registry asked per service. */
  public ServiceDiscovery unlisted() {
    return new ServiceDiscovery() {
      @Override
      public Watch watch(String service, Listener listener) {
        return InMemoryDiscovery.this.watch(service, listener);
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public Set<String> knownServices() {
    return instances.keySet();
  }

  @Override
  public void close() {
    closed = true;
  }

  public boolean isClosed() {
    return closed;
  }

  public int watcherCount(String service) {
    return listeners.getOrDefault(service, List.of()).size();
  }
}
