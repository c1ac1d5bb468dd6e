package io.meshclient.core.internal;

import io.meshclient.api.ServiceDiscovery;

/** Identifies one watch, so a late snapshot from a replaced watch is ignored. */
final class WatchToken implements ServiceDiscovery.Watch {
  private final String service;
  private final ServiceDiscovery discovery;
  volatile ServiceDiscovery.Watch watch;

  WatchToken(String service, ServiceDiscovery discovery) {
    this.service = service;
    this.discovery = discovery;
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
