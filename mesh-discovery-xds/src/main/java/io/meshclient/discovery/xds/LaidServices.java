package io.meshclient.discovery.xds;

import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The services xDS lays over the application's configuration, as the mesh's layer maps them again on each of
 * its reloads: by service, its listener and the resources its mapping in force was made of, and which of them
 * are {@link ClosedServices failed closed}. Immutable (the resources are copies no one changes): each layer the mesh
 * holds keeps its own.
 */
record LaidServices(Map<String, String> listeners, Map<String, XdsResources> resources, Set<String> closed) {
  /**
   * {@code names}, with their listeners from {@code listeners} and their resources from {@code from}; those in
   * {@code closed} failed closed.
   */
  static LaidServices of(Set<String> names, Map<String, String> listeners, Map<String, XdsResources> from,
      Set<String> closed) {
    Map<String, String> l = new HashMap<>();
    Map<String, XdsResources> r = new HashMap<>();
    names.forEach(s -> {
      l.put(s, listeners.get(s));
      r.put(s, from.get(s));
    });
    return new LaidServices(Map.copyOf(l), Map.copyOf(r), Set.copyOf(closed));
  }

  /** These services but those not in {@code names}. */
  LaidServices retain(Set<String> names) {
    if (names.containsAll(listeners.keySet())) {
      return this;
    }
    Map<String, String> l = new HashMap<>(listeners);
    Map<String, XdsResources> r = new HashMap<>(resources);
    l.keySet().retainAll(names);
    r.keySet().retainAll(names);
    return new LaidServices(Map.copyOf(l), Map.copyOf(r), closed);
  }

  /**
   * Each service mapped over {@code application}'s own settings for it (its timeout, rate limit, retry policy...).
   *
   * @throws XdsInvalidException if one cannot be
   */
  Map<String, ServiceMapping> map(MeshConfig application, String discovery) {
    Map<String, ServiceMapping> out = new HashMap<>();
    listeners.forEach((service, listener) -> {
      ServiceConfig base = application == null ? null : application.services().get(service);
      ServiceMapping m = ServiceMapping.map(service, listener, discovery, base, resources.get(service));
      out.put(service, closed.contains(service) ? ClosedServices.closedMapping(m, service, discovery, base) : m);
    });
    return out;
  }
}
