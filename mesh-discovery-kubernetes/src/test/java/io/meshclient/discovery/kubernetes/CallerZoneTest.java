package io.meshclient.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.meshclient.api.ServiceDiscovery;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The caller's zone: the topology.kubernetes.io/zone label of the Node that NODE_NAME names. */
class CallerZoneTest {

  ServiceDiscovery discovery(ApiServer api, Map<String, String> env) {
    return new KubernetesDiscoveryProvider(KubernetesWatchListener.NONE, env::get)
        .create(api.settings().podLabels(List.of()).build());
  }

  @Test
  void theZoneIsTheLabelOfTheNodeNodeNameNames() {
    try (ApiServer api = ApiServer.crud()) {
      api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-7")
          .withLabels(Map.of("topology.kubernetes.io/zone", "eu-west-1b", "kubernetes.io/hostname", "node-7"))
          .endMetadata().build()).create();
      api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("bare").endMetadata().build()).create();

      try (ServiceDiscovery d = discovery(api, Map.of("NODE_NAME", "node-7"))) {
        assertThat(d.callerZone()).isEqualTo("eu-west-1b");
        int asked = api.requests.size();
        assertThat(d.callerZone()).isEqualTo("eu-west-1b");
        assertThat(api.requests).as("the answer is remembered").hasSize(asked);
      }
      try (LogCapture log = LogCapture.everything(); ServiceDiscovery d = discovery(api, Map.of("NODE_NAME", "bare"))) {
        assertThat(d.callerZone()).isNull();
        assertThat(log.text()).contains("Kubernetes Node 'bare' (NODE_NAME) has no topology.kubernetes.io/zone label");
      }
      try (ServiceDiscovery d = discovery(api, Map.of())) {
        int asked = api.requests.size();
        assertThat(d.callerZone()).as("without NODE_NAME").isNull();
        assertThat(api.requests).hasSize(asked);
      }
    }
  }
}
