package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks of a route configuration beyond its own fields: every virtual host mapped, used or not, and
 * every cluster it names known to CDS. Stateless.
 */
final class RouteChecks {
  private RouteChecks() {}

  /** Decodes one route configuration and validates every virtual host, used or not. */
  static RouteConfiguration decode(Any a) {
    RouteConfiguration rc;
    try {
      rc = a.unpack(RouteConfiguration.class);
    } catch (InvalidProtocolBufferException e) {
      throw new XdsInvalidException("route_configuration", "resource", a.getTypeUrl(),
          "a decodable envoy.config.route.v3.RouteConfiguration");
    }
    for (var vh : rc.getVirtualHostsList()) {
      RouteMapper.routes("route_configuration " + ServerStrings.printable(rc.getName()) + ": virtual_hosts "
          + ServerStrings.printable(vh.getName()), rc, vh,
          cluster -> cluster, true, null, io.meshclient.core.config.RetryConfig.DEFAULT, null, new ArrayList<>());
    }
    return rc;
  }

  /**
   * A route configuration naming a cluster CDS does not have is invalid (once CDS has answered). A cluster
   * CDS sent invalid is one it has: its calls fail for that reason, not the route configuration.
   */
  static void checkClusters(XdsResources candidate, ResourceUpdate<RouteConfiguration> update, String cdsVersion) {
    if (!candidate.clustersKnown) {
      return;
    }
    for (RouteConfiguration rc : List.copyOf(update.valid().values())) {
      String problem = unknownCluster(candidate, rc, cdsVersion);
      if (problem != null) {
        update.reject(rc.getName(), problem);
      }
    }
  }

  /** The problem of the first cluster {@code rc} names that CDS does not have, or null. */
  private static String unknownCluster(XdsResources candidate, RouteConfiguration rc, String cdsVersion) {
    for (var vh : rc.getVirtualHostsList()) {
      for (String cluster : RouteMapper.clusters(vh)) {
        if (!candidate.clusters.containsKey(cluster) && !candidate.rejected.get(ResourceType.CDS).containsKey(cluster)) {
          return new XdsInvalidException("route_configuration " + ServerStrings.printable(rc.getName()), "virtual_hosts "
              + ServerStrings.printable(vh.getName())
              + ": routes[].route.cluster", cluster, "a cluster CDS version " + cdsVersion
              + " has (one of " + new java.util.TreeSet<>(candidate.clusters.keySet()) + ")").getMessage();
        }
      }
    }
    return null;
  }
}
