package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.SlowStartConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A configuration the mesh refuses that no response explains (what is left once a resource's TTL passes; what the
 * resources accepted before the mesh was attached describe) fails the calls of the service it refuses, saying why,
 * and lays the rest: the expired resource does not keep serving, and the refused service blocks no later response.
 */
@Timeout(60)
class XdsFailClosedTest extends ScriptedMeshTest {
  static final String V2 = Resources.istio(9080, "v2", "reviews.default.svc.cluster.local");
  static final String RATINGS = Resources.istio(9080, "", "ratings.default.svc.cluster.local");
  static final String SLOW_START_REFUSED = "mesh.services.reviews.slow-start: set with load-balancer ring-hash "
      + "(expected: load-balancer round-robin, weighted-round-robin or least-request)";

  /** The application's slow start for reviews, which a ring hash balancer cannot follow. */
  static MeshConfig slowStartForReviews() {
    return MeshConfig.builder().service(ServiceConfig.builder("reviews").discovery("xds")
        .slowStart(new SlowStartConfig(Duration.ofSeconds(10), 1, 10)).build()).build();
  }

  static Cluster ringHash(String name) {
    return Resources.cluster(name).toBuilder().setLbPolicy(Cluster.LbPolicy.RING_HASH).build();
  }

  /** Reviews' routes: every call split between {@code clusters}, in that order, hashed on x-user. */
  static RouteConfiguration reviewsSplit(String... clusters) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (String c : clusters) {
      weights.put(c, 1);
    }
    Route split = Resources.split(weights);
    split = split.toBuilder().setRoute(split.getRoute().toBuilder().addHashPolicy(RouteAction.HashPolicy.newBuilder()
        .setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName("x-user")))).build();
    return Resources.routes("reviews-routes", List.of("reviews:9080"), split);
  }

  @Test
  void aClusterWhoseTtlPassesLeavingAConfigurationTheMeshRefusesFailsTheServicesCallsSayingWhy() throws Exception {
    try (LogRecorder log = new LogRecorder(XdsClient.class); ServiceDiscovery xds = xds(Map.of("reviews", 9080));
        Mesh mesh = Mesh.builder().discovery("xds", xds).config(slowStartForReviews()).build()) {
      controlPlane.awaitRequest(ResourceType.LDS);
      // V1, round robin, first: the service's balancer; V2, ring hash, only once V1 is gone
      Resource v1 = Resource.newBuilder().setName(V1).setTtl(XdsResourceTtlTest.TTL)
          .setResource(Any.pack(Resources.cluster(V1))).build();
      assertAcked(controlPlane.send(ResourceType.CDS, "1", Any.pack(v1), Any.pack(ringHash(V2))));
      assertAcked(controlPlane.send(ResourceType.LDS, "1", Resources.listener("reviews:9080", "reviews-routes")));
      assertAcked(controlPlane.send(ResourceType.RDS, "1", reviewsSplit(V1, V2)));
      assertAcked(controlPlane.send(ResourceType.EDS, "1", Resources.endpoints(V1, backends.port("a")),
          Resources.endpoints(V2, backends.port("a"))));

      Exception failure = Load.awaitFailure(mesh, "http://reviews/", "calls failing once V1's TTL passed");

      assertThat(failure).isInstanceOf(NoHealthyInstanceException.class).hasMessage("no healthy instance of "
          + "service 'reviews' in subset '" + RouteMapper.UNROUTABLE + "': cluster " + V1 + " expired: the control "
          + "plane sent it with a TTL of 300 ms (CDS version 1) and no heartbeat or update within it: removed, as "
          + "Envoy removes it; the mesh refused the configuration left for reviews: " + SLOW_START_REFUSED);
      String warning = "xDS: calls to reviews fail: cluster " + V1 + " expired: the control plane sent it with a TTL "
          + "of 300 ms (CDS version 1) and no heartbeat or update within it: removed, as Envoy removes it; the mesh "
          + "refused the configuration left for reviews: " + SLOW_START_REFUSED;
      Load.await(() -> log.warnings().contains(warning), Duration.ofSeconds(10), "the warning"); // logged once laid
      Load.await(() -> metrics.resources("cds") == 1, Duration.ofSeconds(10), "V1 removed from the clusters held");

      // an update changing nothing of reviews leaves it failing; V1 sent again serves it again
      assertAcked(controlPlane.send(ResourceType.EDS, "2", Resources.endpoints(V1, backends.port("b")),
          Resources.endpoints(V2, backends.port("b"))));
      assertThat(Load.awaitFailure(mesh, "http://reviews/", "calls still failing")).hasMessageContaining(V1 + " expired");
      assertAcked(controlPlane.send(ResourceType.CDS, "2", Resources.cluster(V1), ringHash(V2)));
      awaitServedBy(mesh, "b");
    }
  }

  @Test
  void aClusterAcceptedBeforeTheMeshWasAttachedThatItRefusesFailsOnlyItsServiceAndBlocksNoLaterResponse()
      throws Exception {
    String ratingsRoutes = "ratings-routes";
    try (LogRecorder log = new LogRecorder(XdsClient.class);
        ServiceDiscovery xds = xds(Map.of("reviews", 9080, "ratings", 9080))) {
      controlPlane.awaitRequest(ResourceType.LDS);
      assertAcked(controlPlane.send(ResourceType.CDS, "1", ringHash(V1), Resources.cluster(RATINGS)));
      assertAcked(controlPlane.send(ResourceType.LDS, "1", Resources.listener("reviews:9080", "reviews-routes"),
          Resources.listener("ratings:9080", ratingsRoutes)));
      assertAcked(controlPlane.send(ResourceType.RDS, "1", reviewsSplit(V1), Resources.routes(ratingsRoutes,
          List.of("ratings:9080"), Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), RATINGS))));
      assertAcked(controlPlane.send(ResourceType.EDS, "1", Resources.endpoints(V1, backends.port("a")),
          Resources.endpoints(RATINGS, backends.port("b"))));

      try (Mesh mesh = Mesh.builder().discovery("xds", xds).config(slowStartForReviews()).build()) {
        awaitACallAnsweredBy(mesh, "b", "http://ratings/");
        assertThat(Load.awaitFailure(mesh, "http://reviews/", "calls to reviews failing"))
            .isInstanceOf(NoHealthyInstanceException.class).hasMessage("no healthy instance of service 'reviews' in "
                + "subset '" + RouteMapper.UNROUTABLE + "': the mesh refused the configuration xDS describes for "
                + "reviews: " + SLOW_START_REFUSED);
        assertThat(log.warnings()).contains("xDS: calls to reviews fail: the mesh refused the configuration xDS "
            + "describes for reviews: " + SLOW_START_REFUSED);

        // a response changing ratings' configuration applies, reviews' refused cluster unchanged in it
        Cluster leastRequest = Resources.cluster(RATINGS).toBuilder().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
            .build();
        assertAcked(controlPlane.send(ResourceType.CDS, "2", ringHash(V1), leastRequest));
        Load.await(() -> mesh.config().service("ratings").loadBalancer().toString().equals("least-request"),
            Duration.ofSeconds(10), "ratings' new balancer laid");

        // V1 fixed: reviews serves
        assertAcked(controlPlane.send(ResourceType.CDS, "3", Resources.cluster(V1), leastRequest));
        awaitServedBy(mesh, "a");
      }
    }
  }

  static void awaitACallAnsweredBy(Mesh mesh, String backend, String url) throws InterruptedException {
    Load.await(() -> {
      try {
        return Load.call(mesh, url).equals(backend);
      } catch (java.io.IOException | RuntimeException e) {
        return false;
      }
    }, Duration.ofSeconds(10), "a call to " + url + " answered by " + backend);
  }
}
