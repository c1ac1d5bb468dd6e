package io.meshclient.discovery.xds;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Why calls fail for want of a valid resource: the cluster a subset selects, that cluster's endpoints, or
 * a service's listener or route configuration was sent invalid (NACKed) and no version of it was accepted
 * before, or was never sent within the resource timeout, so it is treated as not existing; or the cluster a
 * route names is not among the clusters CDS sent. Immutable; built on the xDS thread, read by call threads.
 *
 * @param byCluster the reason by cluster name (the cluster or its endpoints)
 * @param byService the reason by service (its listener or route configuration)
 * @param clusters the clusters CDS has (sent invalid included), or null before CDS has answered
 */
record InvalidResourceReasons(Map<String, String> byCluster, Map<String, String> byService, Set<String> clusters) {
  static final InvalidResourceReasons NONE = new InvalidResourceReasons(Map.of(), Map.of(), null);
  /** How the reason of a resource the control plane has not sent (yet) ends. */
  static final String NOT_RECEIVED = "has not been received from the control plane";

  /**
   * The reasons in {@code accepted}.
   *
   * @param services service name to its listener name
   * @param absent whether a resource subscribed to was taken not to exist (its timer fired)
   */
  static InvalidResourceReasons of(XdsResources accepted, Map<String, String> services,
      BiPredicate<ResourceType, String> absent) {
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
      } else if (!accepted.endpoints.containsKey(c.edsName()) && absent.test(ResourceType.EDS, c.edsName())) {
        byCluster.put(c.name(), notSent("cluster_load_assignment", c.edsName()));
      }
    });
    Map<String, String> byService = new HashMap<>();
    services.forEach((service, listenerName) -> {
      ListenerResource l = accepted.listeners.get(listenerName);
      if (l == null) {
        XdsResources.Rejection r = accepted.withoutVersion(ResourceType.LDS, listenerName);
        if (r != null) {
          byService.put(service, r.reason("listener", listenerName, ResourceType.LDS));
        } else if (absent.test(ResourceType.LDS, listenerName)) {
          byService.put(service, notSent("listener", listenerName));
        } else {
          byService.put(service, "listener " + ServerStrings.printable(listenerName) + " " + NOT_RECEIVED);
        }
      } else if (l.rdsName() != null) {
        XdsResources.Rejection r = accepted.withoutVersion(ResourceType.RDS, l.rdsName());
        if (r != null) {
          byService.put(service, r.reason("route_configuration", l.rdsName(), ResourceType.RDS));
        } else if (!accepted.routes.containsKey(l.rdsName())) {
          byService.put(service, absent.test(ResourceType.RDS, l.rdsName()) ? notSent("route_configuration", l.rdsName())
              : "route_configuration " + ServerStrings.printable(l.rdsName()) + " " + NOT_RECEIVED);
        }
      }
    });
    Set<String> clusters = null;
    if (accepted.clustersKnown) {
      clusters = new HashSet<>(accepted.clusters.keySet());
      clusters.addAll(accepted.rejected.get(ResourceType.CDS).keySet());
    }
    return byCluster.isEmpty() && byService.isEmpty() && clusters == null ? NONE
        : new InvalidResourceReasons(Map.copyOf(byCluster), Map.copyOf(byService), clusters == null ? null
            : Set.copyOf(clusters));
  }

  /** These reasons, with those of {@code closed} by service ({@link ClosedServices}) over any other of theirs. */
  InvalidResourceReasons closing(Map<String, ClosedServices.Closed> closed) {
    if (closed.isEmpty()) {
      return this;
    }
    Map<String, String> services = new HashMap<>(byService);
    closed.forEach((service, c) -> services.put(service, c.reason()));
    return new InvalidResourceReasons(byCluster, Map.copyOf(services), clusters);
  }

  private static String notSent(String kind, String name) {
    return kind + " " + ServerStrings.printable(name) + " was not sent within the resource timeout: taken not to exist";
  }

  /**
   * Why the instances of {@code service} that {@code selector} selects are none, when it is for want of a
   * valid resource; else null. A selector without a cluster (the unroutable subset, or the whole service)
   * asks about the service's listener and route configuration.
   */
  String why(String service, Map<String, String> selector) {
    String cluster = selector.get(ServiceMapping.CLUSTER_KEY);
    if (cluster == null || cluster.isEmpty()) {
      return byService.get(service);
    }
    String reason = byCluster.get(cluster);
    return reason == null && clusters != null && !clusters.contains(cluster)
        ? "cluster " + ServerStrings.printable(cluster) + " is not among the clusters CDS sent: the control plane deleted it, or never sent it"
        : reason;
  }
}
