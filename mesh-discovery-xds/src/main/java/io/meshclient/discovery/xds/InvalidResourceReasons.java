package io.meshclient.discovery.xds;

import java.util.HashMap;
import java.util.Map;

/**
 * Why calls fail for want of a valid resource: the cluster a subset selects, that cluster's endpoints, or
 * a service's listener or route configuration was sent invalid (NACKed) and no version of it was accepted
 * before, so it is treated as not existing. Immutable; built on the xDS thread, read by call threads.
 *
 * @param byCluster the reason by cluster name (the cluster or its endpoints)
 * @param byService the reason by service (its listener or route configuration)
 */
record InvalidResourceReasons(Map<String, String> byCluster, Map<String, String> byService) {
  static final InvalidResourceReasons NONE = new InvalidResourceReasons(Map.of(), Map.of());

  /**
   * The reasons in {@code accepted}.
   *
   * @param services service name to its listener name
   */
  static InvalidResourceReasons of(XdsResources accepted, Map<String, String> services) {
    Map<String, String> byCluster = new HashMap<>();
    accepted.rejected.get(ResourceType.CDS).keySet().forEach(name -> {
      XdsResources.Rejection r = accepted.withoutVersion(ResourceType.CDS, name);
      if (r != null) {
        byCluster.put(name, r.reason("cluster", name, ResourceType.CDS));
      }
    });
    accepted.clusters.values().forEach(c -> {
      XdsResources.Rejection r = accepted.withoutVersion(ResourceType.EDS, c.edsName());
      if (r != null) {
        byCluster.put(c.name(), r.reason("cluster_load_assignment", c.edsName(), ResourceType.EDS));
      }
    });
    Map<String, String> byService = new HashMap<>();
    services.forEach((service, listenerName) -> {
      ListenerResource l = accepted.listeners.get(listenerName);
      if (l == null) {
        XdsResources.Rejection r = accepted.withoutVersion(ResourceType.LDS, listenerName);
        if (r != null) {
          byService.put(service, r.reason("listener", listenerName, ResourceType.LDS));
        }
      } else if (l.rdsName() != null) {
        XdsResources.Rejection r = accepted.withoutVersion(ResourceType.RDS, l.rdsName());
        if (r != null) {
          byService.put(service, r.reason("route_configuration", l.rdsName(), ResourceType.RDS));
        }
      }
    });
    return byCluster.isEmpty() && byService.isEmpty() ? NONE
        : new InvalidResourceReasons(Map.copyOf(byCluster), Map.copyOf(byService));
  }

  /**
   * Why the instances of {@code service} that {@code selector} selects are none, when it is for want of a
   * valid resource; else null. A selector without a cluster (the unroutable subset, or the whole service)
   * asks about the service's listener and route configuration.
   */
  String why(String service, Map<String, String> selector) {
    String cluster = selector.get(ServiceMapping.CLUSTER_KEY);
    return cluster == null || cluster.isEmpty() ? byService.get(service) : byCluster.get(cluster);
  }
}
