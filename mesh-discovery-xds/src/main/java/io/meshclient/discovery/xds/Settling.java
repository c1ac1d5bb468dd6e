package io.meshclient.discovery.xds;

import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/** Whether the services are described enough to serve: what building the mesh waits for. Stateless. */
final class Settling {
  private Settling() {}

  /**
   * Whether every service of {@code names}' listener, routes, clusters and endpoints are known or known not to exist.
   *
   * @param services by service watched, its listener
   * @param mappings by service watched, its mapping in force
   * @param absent whether a resource subscribed to was taken not to exist (its timer fired)
   */
  static boolean settled(Set<String> names, Map<String, String> services, Map<String, ServiceMapping> mappings,
      XdsResources accepted, BiPredicate<ResourceType, String> absent) {
    for (String s : names) {
      String listener = services.get(s);
      if (listener == null || absent.test(ResourceType.LDS, listener)
          || sentInvalid(accepted, ResourceType.LDS, listener)) {
        continue;
      }
      ServiceMapping m = mappings.get(s);
      if (!m.described()) {
        if (m.rdsName() == null
            || !absent.test(ResourceType.RDS, m.rdsName()) && !sentInvalid(accepted, ResourceType.RDS, m.rdsName())) {
          return false;
        }
        continue;
      }
      for (String eds : m.edsNames()) {
        if (!accepted.endpoints.containsKey(eds) && !absent.test(ResourceType.EDS, eds)
            && !sentInvalid(accepted, ResourceType.EDS, eds)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether {@code name} was sent invalid and has no accepted version: it is known not to exist. */
  private static boolean sentInvalid(XdsResources accepted, ResourceType type, String name) {
    return accepted.withoutVersion(type, name) != null;
  }
}
