package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.BalancerConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What xDS says about one service the application calls: its mesh settings (subsets, routes, balancer,
 * outlier detection, concurrency cap, TLS) and its instances.
 *
 * <p>Each cluster its routes name becomes a subset selecting the instances whose metadata {@value
 * #CLUSTER_KEY} is that cluster; Istio's {@code outbound|9080|v1|reviews.default.svc.cluster.local} is
 * called {@code v1} (or by its host's first label without a subset), so {@code http://reviews/...} routes
 * as the VirtualService says. Until the listener and its routes are known, or when they do not exist,
 * every call fails ({@link RouteMapper#UNROUTABLE}): a service xDS has not described is never a silent
 * fallback.
 *
 * @param config the service's settings
 * @param instances its instances: the endpoints of every cluster its routes name
 * @param described whether its listener and route configuration are known
 * @param rdsName the route configuration it needs, or null
 * @param edsNames the EDS resources it needs
 * @param notes fields that change traffic and are not implemented
 */
record ServiceMapping(ServiceConfig config, List<ServiceInstance> instances, boolean described, String rdsName,
    Set<String> edsNames, List<String> notes) {
  /** The instance metadata key holding the cluster an endpoint came from. */
  static final String CLUSTER_KEY = "xds.cluster";

  /**
   * Maps the service.
   *
   * @param base the application's own settings for it (rate limits, retries...), or null
   * @throws XdsInvalidException if its route configuration cannot be mapped (the RDS response is NACKed)
   */
  static ServiceMapping map(String service, String listenerName, String discovery, ServiceConfig base,
      XdsResources r) {
    List<String> notes = new ArrayList<>();
    ListenerResource listener = r.listeners.get(listenerName);
    RouteConfiguration rc = listener == null ? null
        : listener.inlineRoutes() != null ? listener.inlineRoutes() : r.routes.get(listener.rdsName());
    String rdsName = listener == null ? null : listener.rdsName();
    if (rc == null) {
      return new ServiceMapping(unroutable(service, discovery, base), List.of(), false, rdsName, Set.of(), notes);
    }
    notes.addAll(listener.notes());
    String host = listenerName.substring(0, listenerName.lastIndexOf(':'));
    VirtualHost vh = RouteMapper.virtualHost(rc.getVirtualHostsList(), List.of(listenerName, host, service));
    if (vh == null) {
      notes.add("route_configuration " + ServerStrings.printable(rc.getName()) + ": no virtual host for " + listenerName + ": its calls fail");
      return new ServiceMapping(unroutable(service, discovery, base), List.of(), true, rdsName, Set.of(), notes);
    }
    Set<String> clusters = RouteMapper.clusters(vh);
    Map<String, String> subsetOf = subsetNames(clusters);
    String where = "route_configuration " + ServerStrings.printable(rc.getName()) + ": virtual_hosts "
        + ServerStrings.printable(vh.getName());
    List<RouteConfig> routes = new ArrayList<>(RouteMapper.routes(where, rc, vh, subsetOf::get,
        listener.faultFilter(), listener.defaultFault(),
        base != null && base.retry() != null ? base.retry() : RetryConfig.DEFAULT, base != null ? base.timeout() : null,
        notes));
    routes.add(RouteConfig.to(RouteConfig.Match.ANY, RouteMapper.UNROUTABLE).withName("xds-no-route"));

    ServiceConfig.Builder b = start(service, discovery, base);
    b.subset(RouteMapper.UNROUTABLE, Map.of(CLUSTER_KEY, ""));
    subsetOf.forEach((cluster, subset) -> b.subset(subset, Map.of(CLUSTER_KEY, cluster)));
    routes.forEach(b::route);

    Set<String> edsNames = new LinkedHashSet<>();
    List<ServiceInstance> instances = new ArrayList<>();
    ClusterResource first = null;
    for (String name : clusters) {
      ClusterResource c = r.clusters.get(name);
      if (c == null) {
        continue; // not (yet) sent: its subset has no instances
      }
      notes.addAll(c.notes());
      if (!c.usable()) {
        continue;
      }
      edsNames.add(c.edsName());
      if (first == null) {
        first = c;
      } else if (!first.balancer().equals(c.balancer()) || !java.util.Objects.equals(first.tls(), c.tls())
          || !java.util.Objects.equals(first.slowStart(), c.slowStart())) {
        String named = ServerStrings.printable(first.name());
        notes.add("cluster " + ServerStrings.printable(c.name()) + ": lb_policy/transport_socket/slow_start_config "
            + "differ from cluster " + named + " of the same service: the mesh applies " + named + "'s to the whole service");
      }
      EndpointResource e = r.endpoints.get(c.edsName());
      if (e != null) {
        notes.addAll(e.notes());
        addInstances(service, c, subsetOf.get(name), e, instances);
      }
    }
    if (first != null) {
      String hashHeader = RouteMapper.hashHeader(vh);
      if (first.balancer().equals("ring-hash") && hashHeader == null) {
        notes.add("cluster " + ServerStrings.printable(first.name()) + ": RING_HASH without a header hash_policy: weighted round robin is used");
        b.loadBalancer("weighted-round-robin");
      } else {
        b.loadBalancer(first.balancer().equals("ring-hash")
            ? new BalancerConfig("ring-hash", Map.of("hash-header", hashHeader)) : BalancerConfig.named(first.balancer()));
      }
      b.outlierDetection(first.outlier() != null ? first.outlier() : ServiceConfig.OUTLIER_DETECTION_OFF);
      if (first.maxRequests() > 0) {
        b.maxConcurrentRequests(first.maxRequests());
      }
      if (first.tls() != null) {
        b.tls(first.tls());
      }
      if (first.slowStart() != null) {
        b.slowStart(first.slowStart());
      } else if (base != null && base.slowStart() != null) {
        b.slowStart(base.slowStart());
      }
    }
    return new ServiceMapping(b.build(), List.copyOf(instances), true, rdsName, edsNames, notes);
  }

  /** Settings under which every call to {@code service} fails: it is not described yet, or not at all. */
  static ServiceConfig unroutable(String service, String discovery, ServiceConfig base) {
    return start(service, discovery, base).subset(RouteMapper.UNROUTABLE, Map.of(CLUSTER_KEY, ""))
        .route(RouteConfig.to(RouteConfig.Match.ANY, RouteMapper.UNROUTABLE).withName("xds-not-described")).build();
  }

  /** The application's settings xDS does not own: discovery, call and connect timeouts, limits, breaker, retries. */
  private static ServiceConfig.Builder start(String service, String discovery, ServiceConfig base) {
    ServiceConfig.Builder b = ServiceConfig.builder(service).discovery(discovery);
    if (base != null) {
      b.timeout(base.timeout()).rateLimit(base.rateLimit()).circuitBreaker(base.circuitBreaker())
          .retry(base.retry()).allowedAddresses(base.allowedAddresses()).connectTimeout(base.connectTimeout());
    }
    return b;
  }

  /** Subset names for clusters: Istio's subset, else its host's first label, else the cluster name; unique. */
  static Map<String, String> subsetNames(Set<String> clusters) {
    Map<String, String> out = new LinkedHashMap<>();
    Set<String> taken = new java.util.HashSet<>(Set.of(RouteMapper.UNROUTABLE));
    for (String cluster : clusters) {
      String name = cluster;
      String[] parts = cluster.split("\\|", -1);
      if (parts.length == 4 && (parts[0].equals("outbound") || parts[0].equals("inbound"))) {
        name = !parts[2].isEmpty() ? parts[2] : parts[3].split("\\.", 2)[0];
      }
      if (!taken.add(name)) {
        name = cluster;
        taken.add(name);
      }
      out.put(cluster, name);
    }
    return out;
  }

  private static void addInstances(String service, ClusterResource c, String subset, EndpointResource e,
      List<ServiceInstance> out) {
    int priority = Integer.MAX_VALUE;
    for (EndpointResource.Endpoint ep : e.endpoints()) {
      priority = Math.min(priority, ep.priority());
    }
    Map<String, ServiceInstance> byId = new HashMap<>();
    for (EndpointResource.Endpoint ep : e.endpoints()) {
      if (ep.priority() != priority) {
        continue; // lower priorities take traffic only when the highest has no usable endpoint
      }
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put(CLUSTER_KEY, c.name());
      metadata.put("xds.region", ep.region());
      metadata.put("xds.zone", ep.zone());
      metadata.put("xds.sub-zone", ep.subZone());
      metadata.put("xds.priority", Integer.toString(ep.priority()));
      String authority = (ep.host().indexOf(':') >= 0 ? "[" + ep.host() + "]" : ep.host()) + ":" + ep.port();
      String id = subset + "/" + authority;
      byId.putIfAbsent(id, new ServiceInstance(id, service, ep.host(), ep.port(), c.tls() != null, ep.weight(),
          metadata, ep.zone()));
    }
    out.addAll(byId.values());
  }
}
