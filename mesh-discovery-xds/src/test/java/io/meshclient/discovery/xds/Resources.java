package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.List;
import java.util.Map;

/** Hand-written xDS resources as istiod's gRPC generator shapes them, for the tests. */
final class Resources {
  static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

  private Resources() {}

  /** Istio's name of the cluster of {@code subset} of {@code host}:{@code port}. */
  static String istio(int port, String subset, String host) {
    return "outbound|" + port + "|" + subset + "|" + host;
  }

  static Listener listener(String name, String routeConfigName, HttpFilter... extraFilters) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName(routeConfigName).setConfigSource(ADS));
    for (HttpFilter f : extraFilters) {
      hcm.addHttpFilters(f);
    }
    hcm.addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
        .setTypedConfig(Any.pack(Router.getDefaultInstance())));
    return Listener.newBuilder().setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm.build()))).build();
  }

  static RouteConfiguration routes(String name, List<String> domains, Route... routes) {
    return RouteConfiguration.newBuilder().setName(name)
        .addVirtualHosts(VirtualHost.newBuilder().setName(domains.get(0)).addAllDomains(domains)
            .addAllRoutes(List.of(routes)))
        .build();
  }

  /** A route for every path splitting by weight, in the order given. */
  static Route split(Map<String, Integer> weights) {
    WeightedCluster.Builder w = WeightedCluster.newBuilder();
    weights.forEach((cluster, weight) -> w.addClusters(
        WeightedCluster.ClusterWeight.newBuilder().setName(cluster).setWeight(UInt32Value.of(weight))));
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setWeightedClusters(w)).build();
  }

  static Route to(RouteMatch match, String cluster) {
    return Route.newBuilder().setMatch(match).setRoute(RouteAction.newBuilder().setCluster(cluster)).build();
  }

  static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN).build();
  }

  static ClusterLoadAssignment endpoints(String cluster, int... ports) {
    LocalityLbEndpoints.Builder group = LocalityLbEndpoints.newBuilder();
    for (int port : ports) {
      group.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
          .setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port)))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(group).build();
  }

  static Snapshot snapshot(String version, List<Listener> listeners, List<RouteConfiguration> routes,
      List<Cluster> clusters, List<ClusterLoadAssignment> endpoints) {
    return Snapshot.create(clusters, endpoints, listeners, routes, List.of(), version);
  }
}
