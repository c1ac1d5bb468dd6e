package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster's lb_config is the configuration of one lb_policy: Envoy reads the one of its lb_policy and ignores
 * another's, such as a slow start set under round_robin_lb_config of a RANDOM cluster.
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
}
