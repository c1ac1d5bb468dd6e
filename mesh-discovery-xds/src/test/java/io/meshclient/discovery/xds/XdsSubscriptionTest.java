package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An empty resource_names list is the xDS protocol's wildcard when it is the first request of a type on a
 * stream (every route configuration, every endpoint the server has): the client sends one only to
 * unsubscribe from names it asked for on that stream.
 */
class XdsSubscriptionTest {
  static final String CLUSTER = istio(80, "", "ratings.default.svc.cluster.local");
  static final List<ResourceType> NAMED = List.of(ResourceType.LDS, ResourceType.RDS, ResourceType.EDS);

  ControlPlane controlPlane;
  Backends backends;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backends = new Backends("ratings");
  }

  @AfterEach
  void stop() throws Exception {
    backends.close();
    controlPlane.close();
  }

  ServiceDiscovery xds(Map<String, Object> extra) {
    Map<String, Object> settings = new HashMap<>(extra);
    settings.putAll(Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage"));
    return new XdsDiscoveryProvider(new XdsDiscoveryMetrics())
        .create(new DiscoveryContext("mesh.discovery.xds", settings));
  }

  Snapshot ratings(String version) {
    return Resources.snapshot(version, List.of(listener("ratings:80", "ratings-routes")),
        List.of(routes("ratings-routes", List.of("ratings:80", "ratings"), split(Map.of(CLUSTER, 100)))),
        List.of(cluster(CLUSTER)), List.of(endpoints(CLUSTER, backends.port("ratings"))));
  }

  /** Requests of a type that names resources (LDS, RDS, EDS) sent with no name, from the {@code from}th on. */
  List<String> emptyNamedRequests(int from) {
    return controlPlane.requests().subList(from, controlPlane.requests().size()).stream()
        .filter(r -> NAMED.stream().anyMatch(t -> t.typeUrl().equals(r.getTypeUrl())))
        .filter(r -> r.getResourceNamesCount() == 0).map(DiscoveryRequest::getTypeUrl).toList();
  }

  /**
   * Restarts the server with a new version and waits until the new stream's CDS response is ACKed (its first
   * requests all sent); returns the index of its first request.
   */
  int reconnect() throws Exception {
    controlPlane.stop();
    int from = controlPlane.requests().size();
    controlPlane.set(ratings("2"));
    controlPlane.start();
    Load.await(() -> controlPlane.requests().subList(from, controlPlane.requests().size()).stream()
        .anyMatch(r -> r.getTypeUrl().equals(ResourceType.CDS.typeUrl()) && !r.getResponseNonce().isEmpty()),
        Duration.ofSeconds(15), "the CDS response of the new stream ACKed");
    return from;
  }

  @Test
  void routesAndEndpointsAreNeverAskedForWithAnEmptyListAtStartUpOrAfterAReconnect() throws Exception {
    controlPlane.set(ratings("1"));
    try (ServiceDiscovery xds = xds(Map.of("services", Map.of("ratings", 80)));
        Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(Load.call(mesh, "http://ratings/")).isEqualTo("ratings");
      assertThat(emptyNamedRequests(0)).as("requests with no resource name (a wildcard)").isEmpty();

      int from = reconnect();
      assertThat(Load.call(mesh, "http://ratings/")).isEqualTo("ratings");
      assertThat(emptyNamedRequests(from)).as("requests with no resource name after the reconnect").isEmpty();
    }
  }

  @Test
  void theLastNameLeavingUnsubscribesWithAnEmptyListAndANewStreamAsksForNothing() throws Exception {
    controlPlane.set(ratings("1"));
    MeshConfig callingRatings = MeshConfig.builder()
        .service(ServiceConfig.builder("ratings").discovery("xds").build()).build();
    try (ServiceDiscovery xds = xds(Map.of());
        Mesh mesh = Mesh.builder().discovery("xds", xds).config(callingRatings).build()) {
      Load.await(() -> {
        try {
          return Load.call(mesh, "http://ratings/").equals("ratings");
        } catch (java.io.IOException | RuntimeException e) {
          return false;
        }
      }, Duration.ofSeconds(10), "ratings described by xDS and called");
      assertThat(emptyNamedRequests(0)).as("requests with no resource name while ratings is called").isEmpty();

      int named = controlPlane.requests().size();
      mesh.reconfigure(MeshConfig.builder().build()); // the application no longer calls ratings
      Load.await(() -> emptyNamedRequests(named).containsAll(NAMED.stream().map(ResourceType::typeUrl).toList()),
          Duration.ofSeconds(10), "listeners, routes and endpoints unsubscribed with an empty list");

      int from = reconnect();
      assertThat(emptyNamedRequests(from)).as("requests with no resource name on the new stream").isEmpty();
      assertThat(controlPlane.requests().subList(from, controlPlane.requests().size()))
          .extracting(DiscoveryRequest::getTypeUrl).containsOnly(ResourceType.CDS.typeUrl());
    }
  }
}
