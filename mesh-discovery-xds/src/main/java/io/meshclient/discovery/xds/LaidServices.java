package io.meshclient.discovery.xds;

import io.meshclient.core.config.MeshConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The services xDS lays over the application's configuration, as the mesh's layer maps them again on each of
 * its reloads: by service, its listener and the resources its mapping in force was made of. Immutable (the
 * resources are copies no one changes): each layer the mesh holds keeps its own.
 */
record LaidServices(Map<String, String> listeners, Map<String, XdsResources> resources) {
  /** {@code names}, with their listeners from {@code listeners} and their resources from {@code from}. */
  static LaidServices of(Set<String> names, Map<String, String> listeners, Map<String, XdsResources> from) {
    Map<String, String> l = new HashMap<>();
    Map<String, XdsResources> r = new HashMap<>();
    names.forEach(s -> {
      l.put(s, listeners.get(s));
      r.put(s, from.get(s));
    });
    return new LaidServices(Map.copyOf(l), Map.copyOf(r));
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
    return new LaidServices(Map.copyOf(l), Map.copyOf(r));
  }

  /**
   * Each service mapped over {@code application}'s own settings for it (its timeout, rate limit, retry policy...).
   *
   * @throws XdsInvalidException if one cannot be
   */
  Map<String, ServiceMapping> map(MeshConfig application, String discovery) {
    Map<String, ServiceMapping> out = new HashMap<>();
    listeners.forEach((service, listener) -> out.put(service, ServiceMapping.map(service, listener, discovery,
        application == null ? null : application.services().get(service), resources.get(service))));
    return out;
  }
}
