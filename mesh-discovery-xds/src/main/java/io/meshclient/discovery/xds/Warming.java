package io.meshclient.discovery.xds;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The services held at their mapping in force while the endpoints their new mapping needs are not known yet
 * (neither received, nor taken not to exist, nor sent invalid), as Envoy warms a cluster before its routes
 * use it and gRPC holds a pick until its cluster has endpoints: a route switching to a cluster whose
 * endpoints were not asked for does not fail calls while they are. Confined to the xDS thread.
 */
final class Warming {
  /** By service held at its mapping in force, the endpoints its new mapping awaits. */
  private Map<String, Set<String>> held = new HashMap<>();

  /**
   * Keeps in {@code next} the mapping in force ({@code current}) of each described service whose new mapping
   * needs endpoints not {@code known} yet. Returns, by service so held, the endpoints its new mapping needs,
   * which are subscribed to; the service is mapped anew when they arrive or are taken not to exist (while it is
   * held, its instances are those of the mapping in force). Nothing changes here until {@link #hold}.
   */
  static Map<String, Set<String>> warm(Map<String, ServiceMapping> next, Map<String, ServiceMapping> current,
      Predicate<String> known) {
    Map<String, Set<String>> held = new HashMap<>();
    next.replaceAll((service, m) -> {
      ServiceMapping inForce = current.get(service);
      if (inForce == null || !inForce.described() || m.equals(inForce)) {
        return m;
      }
      for (String eds : m.edsNames()) {
        if (!known.test(eds)) {
          held.put(service, m.edsNames());
          return inForce;
        }
      }
      return m;
    });
    return held;
  }

  /** From now on, the services of {@code next} (as {@link #warm} returned it) are held. */
  void hold(Map<String, Set<String>> next) {
    held = next;
  }

  /** Whether a service held awaits endpoints {@code eds}. */
  boolean awaits(String eds) {
    return held.values().stream().anyMatch(names -> names.contains(eds));
  }

  /** {@code service} is forgotten: it is no longer held. */
  void forget(String service) {
    held.remove(service);
  }

  /** The endpoints the services held await, to be subscribed to. */
  Collection<Set<String>> awaited() {
    return held.values();
  }
}
