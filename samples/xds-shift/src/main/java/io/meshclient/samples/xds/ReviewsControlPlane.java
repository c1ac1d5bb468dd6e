package io.meshclient.samples.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
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
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tiny xDS control plane (Envoy's java-control-plane) on 127.0.0.1 serving Bookinfo's reviews as istiod
 * names it: listener {@code reviews.default.svc.cluster.local:9080}, clusters {@code
 * outbound|9080|v1|reviews.default.svc.cluster.local} and {@code ...|v3|...}, and one weighted route.
 */
final class ReviewsControlPlane implements AutoCloseable {
  static final String HOST = "reviews.default.svc.cluster.local";
  static final String V1 = "outbound|9080|v1|" + HOST;
  static final String V3 = "outbound|9080|v3|" + HOST;
  private static final ConfigSource ADS = ConfigSource.newBuilder()
      .setAds(AggregatedConfigSource.getDefaultInstance()).build();

  private final SimpleCache<String> cache = new SimpleCache<>(node -> "bookinfo");
  private final Server server;
  private final int v1Port;
  private final int v3Port;

  ReviewsControlPlane(int v1Port, int v3Port) throws IOException {
    this.v1Port = v1Port;
    this.v3Port = v3Port;
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl()).build().start();
  }

  String target() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Publishes version {@code version}: {@code v1}% of reviews' calls to v1, the rest to v3. */
  void split(String version, int v1) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName("reviews-9080").setConfigSource(ADS))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    Listener listener = Listener.newBuilder().setName(HOST + ":9080")
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm))).build();
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("reviews-9080")
        .addVirtualHosts(VirtualHost.newBuilder().setName("reviews").addDomains(HOST).addDomains("reviews")
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
                    .addClusters(weight(V1, v1)).addClusters(weight(V3, 100 - v1))))))
        .build();
    cache.setSnapshot("bookinfo", Snapshot.create(List.of(cluster(V1), cluster(V3)),
        List.of(endpoints(V1, v1Port), endpoints(V3, v3Port)), List.of(listener), List.of(routes), List.of(), version));
  }

  private static WeightedCluster.ClusterWeight weight(String cluster, int weight) {
    return WeightedCluster.ClusterWeight.newBuilder().setName(cluster).setWeight(UInt32Value.of(weight)).build();
  }

  private static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS)).build();
  }

  private static ClusterLoadAssignment endpoints(String cluster, int port) {
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(LocalityLbEndpoints.newBuilder()
        .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
            .setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port))))))
        .build();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
