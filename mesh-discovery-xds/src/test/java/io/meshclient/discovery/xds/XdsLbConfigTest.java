package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.SlowStartConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster's lb_config is the configuration of one lb_policy: Envoy reads the one of its lb_policy and ignores
 * another's, such as a slow start set under round_robin_lb_config of a RANDOM cluster. And a cluster whose balancer
 * the mesh cannot run with the application's settings is NACKed on its own (gRFC A46), the others applied.
 */
@Timeout(60)
class XdsLbConfigTest extends ScriptedMeshTest {
  @Test
  void theSlowStartOfAnotherPolicysLbConfigIsIgnoredAsInEnvoyNotARefusalOfTheResponse() throws Exception {
    reviewsServedByA(mesh -> {
      Cluster random = Resources.cluster(V1).toBuilder().setLbPolicy(Cluster.LbPolicy.RANDOM)
          .setRoundRobinLbConfig(Cluster.RoundRobinLbConfig.newBuilder().setSlowStartConfig(
              Cluster.SlowStartConfig.newBuilder().setSlowStartWindow(seconds(10)))).build();
      String other = Resources.istio(9080, "v2", "reviews.default.svc.cluster.local");

      assertAcked(controlPlane.send(ResourceType.CDS, "2", random, Resources.cluster(other)));

      assertThat(metrics.versions()).containsEntry("cds", "2");
      assertThat(metrics.resources("cds")).isEqualTo(2);
      awaitServedBy(mesh, "a");
    });
  }

  @Test
  void aClusterTheMeshRefusesWithTheApplicationsSettingsIsNackedAloneAndTheOthersApply() throws Exception {
    // the application's slow start for reviews, which a ring hash balancer cannot follow
    MeshConfig application = MeshConfig.builder().service(ServiceConfig.builder("reviews").discovery("xds")
        .slowStart(new SlowStartConfig(Duration.ofSeconds(10), 1, 10)).build()).build();
    try (ServiceDiscovery xds = xds(Map.of("reviews", 9080));
        Mesh mesh = Mesh.builder().discovery("xds", xds).config(application).build()) {
      controlPlane.awaitRequest(ResourceType.LDS);
      assertAcked(controlPlane.send(ResourceType.CDS, "1", Resources.cluster(V1)));
      assertAcked(controlPlane.send(ResourceType.LDS, "1", Resources.listener("reviews:9080", "reviews-routes")));
      assertAcked(controlPlane.send(ResourceType.RDS, "1", reviewsRoutes(a -> a.addHashPolicy(
          RouteAction.HashPolicy.newBuilder().setHeader(RouteAction.HashPolicy.Header.newBuilder()
              .setHeaderName("x-user"))))));
      assertAcked(controlPlane.send(ResourceType.EDS, "1", Resources.endpoints(V1, backends.port("a"))));
      awaitServedBy(mesh, "a");
      Cluster ringHash = Resources.cluster(V1).toBuilder().setLbPolicy(Cluster.LbPolicy.RING_HASH).build();
      String other = Resources.istio(9080, "v2", "reviews.default.svc.cluster.local");

      String nack = nack(controlPlane.send(ResourceType.CDS, "2", ringHash, Resources.cluster(other)));

      assertThat(nack).isEqualTo("cluster " + V1 + ": the mesh refused the configuration it describes: "
          + "mesh.services.reviews.slow-start: set with load-balancer ring-hash (expected: load-balancer round-robin, "
          + "weighted-round-robin or least-request)");
      assertThat(metrics.resources("cds")).as("the other cluster, applied").isEqualTo(2);
      assertThat(mesh.config().service("reviews").loadBalancer()).as("V1's accepted version")
          .hasToString("weighted-round-robin");
      awaitServedBy(mesh, "a");
    }
  }
}
