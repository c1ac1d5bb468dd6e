package io.meshclient.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A source of instances for named services: a static list, Consul, or your own registry.
 *
 * <p>A discovery pushes whole snapshots, never deltas: every call to {@link Listener#onSnapshot} carries
 * the complete current list for one service. While the underlying registry is unreachable a discovery
 * keeps its last known snapshot and does not push an empty one.
 *
 * <p>Implementations are thread-safe. The mesh that created a discovery closes it.
 */
public interface ServiceDiscovery extends AutoCloseable {

  /**
   * Starts watching {@code service}. The listener receives the current snapshot as soon as one is
   * known (possibly before this method returns) and every changed snapshot after that, until the
   * returned watch or this discovery is closed.
   *
   * @throws NullPointerException if an argument is null
   */
  Watch watch(String service, Listener listener);

  /**
   * Starts watching every service of {@code listeners}, as {@link #watch} does for each; a discovery
   * that asks a registry may fetch their first snapshots in parallel. The default calls {@link #watch}
   * for each entry in turn. If it throws for one, the watches it started for the others are closed before the
   * exception leaves: the caller, who gets no map, could not close them.
   *
   * @return the watches, by service
   * @throws NullPointerException if a key or value is null
   */
  default Map<String, Watch> watchAll(Map<String, Listener> listeners) {
    Map<String, Watch> watches = new LinkedHashMap<>();
    try {
      listeners.forEach((service, listener) -> watches.put(service, watch(service, listener)));
    } catch (RuntimeException | Error e) {
      for (Watch started : watches.values()) {
        try {
          started.close();
        } catch (RuntimeException closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
    return watches;
  }

  /**
   * Names of the services this discovery knows without being asked, such as those listed in a static
   * configuration. The mesh treats them as services even if it has no settings for them. Registries
   * that can only be asked about one service at a time return an empty set.
   */
  default Set<String> knownServices() {
    return Set.of();
  }

  /**
   * How this discovery is doing now: connection, last update, errors, and what its source asks for that is
   * not implemented. Cheap and thread-safe; the default is {@link DiscoveryStatus#UNKNOWN}.
   */
  default DiscoveryStatus status() {
    return DiscoveryStatus.UNKNOWN;
  }

  /**
   * The zone the calling process runs in, as this discovery knows it (Kubernetes: the {@code
   * topology.kubernetes.io/zone} label of the Node named by {@code NODE_NAME}), for zone-aware routing of
   * services that configure {@code locality} without a zone; null when it does not know. May ask the
   * registry once, and should then remember the answer.
   */
  default String callerZone() {
    return null;
  }

  /**
   * Why the instances of {@code service} that {@code selector} selects (every instance when it is empty)
   * are none, in one line, such as an xDS cluster whose only version was refused; null when this
   * discovery has nothing to add to "no healthy instance". The mesh asks when a call finds no instance
   * and ends the call's {@link NoHealthyInstanceException} with the answer. Cheap, thread-safe, no I/O;
   * never holds a secret. The default returns null.
   */
  default String whyNoInstances(String service, Map<String, String> selector) {
    return null;
  }

  /** Stops every watch and releases threads and connections. Idempotent. */
  @Override
  void close();

  /** Receives snapshots for one watched service. */
  @FunctionalInterface
  interface Listener {
    /**
     * Called with the complete, immutable list of instances of the service. Calls for one watch never
     * overlap. Must return quickly.
     */
    void onSnapshot(java.util.List<ServiceInstance> instances);
  }

  /** A running watch. */
  interface Watch extends AutoCloseable {
    /** Stops delivering snapshots. Idempotent. */
    @Override
    void close();
  }
}
