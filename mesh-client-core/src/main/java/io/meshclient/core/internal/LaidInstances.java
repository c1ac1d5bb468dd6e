package io.meshclient.core.internal;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The instances a discovery that supplies configuration lays with it ({@code Mesh.layer(ServiceDiscovery, ...)}):
 * by service, what its watch would deliver next, taken in the same swap as the configuration they go with.
 *
 * @param source the discovery they come from, or null for none
 * @param instances by service, its instances
 */
public record LaidInstances(ServiceDiscovery source, Map<String, List<ServiceInstance>> instances) {
  /** None: every service keeps the instances its watch delivered. */
  public static final LaidInstances NONE = new LaidInstances(null, Map.of());

  /** {@code instances} of {@code source}, copied. */
  public static LaidInstances of(ServiceDiscovery source, Map<String, List<ServiceInstance>> instances) {
    Map<String, List<ServiceInstance>> copy = new HashMap<>();
    instances.forEach((service, list) -> copy.put(service, List.copyOf(list)));
    return new LaidInstances(source, Map.copyOf(copy));
  }

  /**
   * The instances laid for {@code service} when {@link #source} watches it through the swap ({@code watchedWith}
   * before it, {@code assigned} after it); else null, and it keeps those its watch delivers.
   */
  List<ServiceInstance> of(String service, ServiceDiscovery watchedWith, ServiceDiscovery assigned) {
    return source != null && watchedWith == source && assigned == source ? instances.get(service) : null;
  }
}
