package io.meshclient.core.internal.balancer;

import io.meshclient.api.ServiceInstance;
import java.util.List;

/**
 * A balancer that needs every instance of its subset, ejected ones included, and not only the candidates
 * it picks from: the mesh calls it whenever discovery changes the subset. Internal hook.
 */
public interface InstanceListListener {
  /** The subset's instances now, ejected ones included. */
  void onInstances(List<ServiceInstance> all);
}
