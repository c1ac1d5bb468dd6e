package io.meshclient.core.internal;

import io.meshclient.api.ServiceDiscovery;

/** Identifies one watch, so a late snapshot from a replaced watch is ignored. */
final class WatchToken implements ServiceDiscovery.Watch {
  volatile ServiceDiscovery.Watch watch;

  @Override
  public void close() {
    ServiceDiscovery.Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
