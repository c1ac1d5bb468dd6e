package io.meshclient.core.internal.resilience;

import io.meshclient.api.ServiceInstance;

/** Hears ejections and returns decided by an {@link OutlierDetector}. */
public interface EjectionListener {
  /** {@code instance} was taken out of balancing for {@code nanos}. */
  void onEjected(String service, ServiceInstance instance, long nanos);

  /** {@code instance} is balanced again. */
  void onReturned(String service, String instanceId);
}
