package io.meshclient.core.internal;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.util.List;

/** Identifies one watch, so a late snapshot from a replaced watch is ignored. */
final class WatchToken implements ServiceDiscovery.Watch {
  private final String service;
  private final ServiceDiscovery discovery;
  volatile ServiceDiscovery.Watch watch;
  /** Whether the swap that started this watch took it; guarded by this. */
  private boolean live;
  /** The last snapshot delivered before {@link #live}; guarded by this. */
  private List<ServiceInstance> early;

  WatchToken(String service, ServiceDiscovery discovery) {
    this.service = service;
    this.discovery = discovery;
  }

  /**
   * Holds {@code snapshot} if the swap that starts this watch has not taken it yet, without the mesh's lock, which
   * that swap holds: a registry thread delivering as the watch starts may hold a lock of its own that the swap's
   * thread waits for in the discovery's {@code watchAll}.
   *
   * @return whether it was held (else the mesh takes it now)
   */
  synchronized boolean holdUntilLive(List<ServiceInstance> snapshot) {
    if (!live) {
      early = snapshot;
    }
    return !live;
  }

  /**
   * Makes this watch live, from the swap that started it: later snapshots are the mesh's to take.
   *
   * @return the last snapshot delivered while it started, or null if none
   */
  synchronized List<ServiceInstance> goLive() {
    live = true;
    List<ServiceInstance> held = early;
    early = null;
    return held;
  }

  @Override
  public void close() {
    ServiceDiscovery.Watch w = watch;
    if (w != null) {
      w.close();
    }
  }

  /** Names the service and the discovery, for a close that fails or takes too long. */
  @Override
  public String toString() {
    return "the watch of '" + service + "' on " + discovery;
  }
}
