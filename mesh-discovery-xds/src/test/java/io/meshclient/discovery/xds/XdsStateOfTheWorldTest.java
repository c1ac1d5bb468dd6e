package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshclient.api.MeshException;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State-of-the-world deletion and failing closed against a server that sends every resource it has: a
 * listener or cluster missing from a response is deleted (unless the bootstrap's server has
 * {@code ignore_resource_deletion}; one present but invalid keeps its accepted version), a route
 * configuration or endpoints resource is kept; a service
 * xDS does not describe fails its calls, never reaching a server through DNS.
 */
class XdsStateOfTheWorldTest {
  static final String REVIEWS = istio(9080, "v1", "reviews.default.svc.cluster.local");
  static final String RATINGS = istio(9080, "v1", "ratings.default.svc.cluster.local");

  ControlPlane controlPlane;
  Backends backends;
  XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();

  @TempDir
  Path dir;

  @BeforeEach
  void start() throws Exception {
    controlPlane = ControlPlane.sendingEveryResource();
    backends = new Backends("reviews", "ratings");
  }

  @AfterEach
  void stop() throws Exception {
    backends.close();
    controlPlane.close();
  }

  /** Both services, each with its listener, routes, cluster and endpoints. */
  Snapshot both() {
    return Resources.snapshot("1",
        List.of(listener("reviews:9080", "reviews-routes"), listener("ratings:9080", "ratings-routes")),
        List.of(routes("reviews-routes", List.of("reviews:9080", "reviews"), split(Map.of(REVIEWS, 100))),
            routes("ratings-routes", List.of("ratings:9080", "ratings"), split(Map.of(RATINGS, 100)))),
        List.of(cluster(REVIEWS), cluster(RATINGS)),
        List.of(endpoints(REVIEWS, backends.port("reviews")), endpoints(RATINGS, backends.port("ratings"))));
  }

  /**
   * Version 2 of every type: ratings' listener gone, reviews' route configuration and endpoints missing
   * (kept), ratings' route configuration and endpoints still sent.
   */
  Snapshot ratingsListenerGone() {
    return Resources.snapshot("2", List.of(listener("reviews:9080", "reviews-routes")),
        List.of(routes("ratings-routes", List.of("ratings:9080", "ratings"), split(Map.of(RATINGS, 100)))),
        List.of(cluster(REVIEWS), cluster(RATINGS)), List.of(endpoints(RATINGS, backends.port("ratings"))));
  }

  /** Version 2: both listeners, no route configuration or endpoints (both kept), and only {@code clusters}. */
  static Snapshot clustersOnly(io.envoyproxy.envoy.config.cluster.v3.Cluster... clusters) {
    return Resources.snapshot("2",
        List.of(listener("reviews:9080", "reviews-routes"), listener("ratings:9080", "ratings-routes")),
        List.of(), List.of(clusters), List.of());
  }

  ServiceDiscovery xds(Map<String, Object> settings) {
    Map<String, Object> s = new LinkedHashMap<>(settings);
    s.put("services", Map.of("reviews", 9080, "ratings", 9080));
    return new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds", s));
  }

  Map<String, Object> plaintext() {
    return Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage");
  }

  void awaitAcks(String version) throws InterruptedException {
    Load.await(() -> List.of("lds", "rds", "cds", "eds").stream().allMatch(t -> version.equals(metrics.versions().get(t))),
        Duration.ofSeconds(5), "version " + version + " of every type ACKed");
  }

  @Test
  void aListenerMissingFromAResponseIsDeletedWhileMissingRoutesAndEndpointsAreKept() throws Exception {
    controlPlane.set(both());
    try (ServiceDiscovery xds = xds(plaintext()); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("reviews");
      assertThat(Load.call(mesh, "http://ratings/")).isEqualTo("ratings");

      controlPlane.set(ratingsListenerGone());
      awaitAcks("2");

      assertThat(Load.call(mesh, "http://reviews/")).as("routes and endpoints missing from RDS and EDS are kept")
          .isEqualTo("reviews");
      assertThatThrownBy(() -> Load.call(mesh, "http://ratings/")).as("a deleted listener fails closed, saying so")
          .isInstanceOf(NoHealthyInstanceException.class).hasMessage("no healthy instance of service 'ratings' in "
              + "subset 'xds-unroutable': listener ratings:9080 was deleted by the control plane (LDS version 2)");
      assertThat(backends.counts()).isEqualTo(Map.of("reviews", 2, "ratings", 1));
    }
  }

  @Test
  void aClusterMissingFromAResponseIsDeletedAndItsCallsFail() throws Exception {
    controlPlane.set(both());
    try (ServiceDiscovery xds = xds(plaintext()); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(Load.call(mesh, "http://ratings/")).isEqualTo("ratings");

      controlPlane.set(clustersOnly(cluster(REVIEWS)));
      Load.await(() -> "2".equals(metrics.versions().get("cds")), Duration.ofSeconds(5), "CDS version 2 ACKed");

      assertThatThrownBy(() -> Load.call(mesh, "http://ratings/")).as("its cluster was deleted")
          .isInstanceOf(NoHealthyInstanceException.class).hasMessageContaining("ratings");
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("reviews");
      assertThat(backends.counts()).isEqualTo(Map.of("reviews", 1, "ratings", 1));
    }
  }

  @Test
  void anInvalidClusterInAResponseIsNotMissingAndKeepsServingWhileAMissingOneIsDeleted() throws Exception {
    controlPlane.set(both());
    try (ServiceDiscovery xds = xds(plaintext()); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(Load.call(mesh, "http://ratings/")).isEqualTo("ratings");

      controlPlane.set(clustersOnly(XdsPerResourceNackTest.invalid(cluster(REVIEWS))));
      Load.await(() -> metrics.nacks("cds") > 0, Duration.ofSeconds(5), "CDS version 2 NACKed");
      Load.await(() -> {
        try {
          Load.call(mesh, "http://ratings/");
          return false;
        } catch (java.io.IOException | RuntimeException e) {
          return true;
        }
      }, Duration.ofSeconds(5), "the missing cluster deleted");

      assertThatThrownBy(() -> Load.call(mesh, "http://ratings/")).as("missing from the response: deleted")
          .isInstanceOf(NoHealthyInstanceException.class).hasMessageContaining("ratings");
      assertThat(Load.call(mesh, "http://reviews/")).as("invalid in the response: its accepted version")
          .isEqualTo("reviews");
      assertThat(metrics.versions()).containsEntry("cds", "1");
    }
  }

  @Test
  void aServerWithIgnoreResourceDeletionKeepsAMissingListener() throws Exception {
    Path bootstrap = Files.writeString(dir.resolve("bootstrap.json"), """
        {"xds_servers": [{"server_uri": "%s", "channel_creds": [{"type": "insecure"}],
          "server_features": ["xds_v3", "ignore_resource_deletion"]}],
         "node": {"id": "sidecar~127.0.0.1~productpage.default~default.svc.cluster.local",
          "metadata": {"GENERATOR": "grpc", "NAMESPACE": "default"}}}
        """.formatted(controlPlane.target()));
    controlPlane.set(both());
    try (ServiceDiscovery xds = xds(Map.of("bootstrap", bootstrap.toString()));
        Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(Load.call(mesh, "http://ratings/")).isEqualTo("ratings");
      DiscoveryRequest first = controlPlane.requests().get(0);
      assertThat(first.getTypeUrl()).isEqualTo(ResourceType.LDS.typeUrl());
      assertThat(first.getResourceNamesList()).as("listeners named <host>:<port>, as istiod's gRPC generator serves")
          .containsExactlyInAnyOrder("reviews:9080", "ratings:9080");
      assertThat(first.getNode().getId()).isEqualTo("sidecar~127.0.0.1~productpage.default~default.svc.cluster.local");
      assertThat(first.getNode().getMetadata().getFieldsMap()).containsEntry("GENERATOR",
          Value.newBuilder().setStringValue("grpc").build()).containsKey("NAMESPACE");

      controlPlane.set(ratingsListenerGone());
      awaitAcks("2");

      assertThat(Load.call(mesh, "http://ratings/")).as("the listener is kept").isEqualTo("ratings");
      assertThat(backends.counts()).containsEntry("ratings", 2);
    }
  }

  @Test
  void withNoServerBuildingWaitsTheInitialWaitAndCallsFailWithAMeshExceptionWithoutIo() throws Exception {
    controlPlane.stop();
    long start = System.nanoTime();
    Map<String, Object> settings = new LinkedHashMap<>(plaintext());
    settings.put("initial-wait", "1s");
    try (ServiceDiscovery xds = xds(settings); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("building waited for the initial config, bounded")
          .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
      assertThatThrownBy(() -> Load.call(mesh, "http://reviews/")).isInstanceOf(MeshException.class)
          .isInstanceOf(NoHealthyInstanceException.class).hasMessageContaining("reviews");
      assertThatThrownBy(() -> Load.call(mesh, "http://details/")).as("a service xDS was not asked about")
          .isInstanceOf(MeshException.class).hasMessageContaining("details");
      assertThat(backends.counts()).isEqualTo(Map.of("reviews", 0, "ratings", 0));
    }
  }
}
