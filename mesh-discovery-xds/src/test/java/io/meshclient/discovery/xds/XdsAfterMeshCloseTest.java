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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An xDS discovery the application supplies is the application's: closing the mesh detaches it, and it stays
 * open, still subscribed to the services its settings list. What the control plane sends after that is ACKed, not NACKed with "mesh closed" for every push until the
 * application closes the discovery (a control plane logs and counts each NACK as a rejected config).
 */
class XdsAfterMeshCloseTest {
  static final String V1 = istio(80, "v1", "reviews.default.svc.cluster.local");
  static final String V2 = istio(80, "v2", "reviews.default.svc.cluster.local");

  ControlPlane controlPlane;
  ScriptedBackend backend;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backend = new ScriptedBackend("reviews");
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    controlPlane.close();
  }

  Snapshot version(String version, Map<String, Integer> weights) {
    return Resources.snapshot(version, List.of(listener("reviews:80", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews:80", "reviews"), split(weights))),
        List.of(cluster(V1), cluster(V2)), List.of(endpoints(V1, backend.port()), endpoints(V2, backend.port())));
  }

  @Test
  void whatTheControlPlaneSendsAfterTheMeshClosedIsAckedWhileTheApplicationKeepsTheDiscovery() throws Exception {
    controlPlane.set(version("1", Map.of(V1, 100)));
    try (ServiceDiscovery xds = new XdsDiscoveryProvider(new XdsDiscoveryMetrics()).create(new DiscoveryContext(
        "mesh.discovery.xds", Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage",
        "services", Map.of("reviews", "reviews:80"))))) {
      try (Mesh mesh = Mesh.builder().discovery("xds", xds).config(MeshConfig.builder()
          .service(ServiceConfig.builder("reviews").discovery("xds").build()).build()).build()) {
        Load.await(() -> {
          try {
            return Load.call(mesh, "http://reviews/").equals("reviews");
          } catch (java.io.IOException | RuntimeException e) {
            return false;
          }
        }, Duration.ofSeconds(10), "reviews described by xDS and called");
      }

      controlPlane.set(version("2", Map.of(V1, 50, V2, 50))); // a new route: a configuration change
      Load.await(() -> controlPlane.requests().stream().anyMatch(r -> r.getVersionInfo().equals("2")
          && r.getTypeUrl().endsWith("RouteConfiguration")) || !controlPlane.nacks().isEmpty(),
          Duration.ofSeconds(10), "the client's answer to version 2 of the routes");
      assertThat(controlPlane.nacks()).as("before: EDS version 2 NACKed again and again, 'mesh is closed'")
          .extracting(DiscoveryRequest::getErrorDetail).isEmpty();
    }
  }
}
