package io.meshclient.core.internal.balancer;

import io.meshclient.api.ServiceInstance;
import java.util.List;

/**
 * A balancer that needs every instance of its subset, ejected ones included, and not only the candidates
 * it picks from, or that prepares per-list state (a table, a ring) ahead of the first pick: the mesh calls
 * it on the discovery's thread whenever discovery changes the subset. Internal hook.
 */
public interface InstanceListListener {
  /** The subset's instances now, ejected ones included. */
  void onInstances(List<ServiceInstance> all);
}
