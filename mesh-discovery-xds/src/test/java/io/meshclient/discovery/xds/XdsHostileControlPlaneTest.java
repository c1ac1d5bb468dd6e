package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A control plane that sends what it was not asked for, or sends it wrong: the client keeps what it accepted,
 * asks for nothing more than it needs, and NACKs naming the problem.
 */
@Timeout(60)
class XdsHostileControlPlaneTest {
  final XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();
  ScriptedControlPlane controlPlane;

  @BeforeEach
  void start() {
    controlPlane = new ScriptedControlPlane();
  }

  @AfterEach
  void stop() throws Exception {
    controlPlane.close();
  }

  ServiceDiscovery xds(Map<String, Object> services) {
    Map<String, Object> settings = new LinkedHashMap<>(Map.of("server-uri", controlPlane.target(),
        "node-id", "test~productpage", "initial-wait", "0s"));
    if (!services.isEmpty()) {
      settings.put("services", services);
    }
    return new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds", settings));
  }

  @Test
  void aResponseOfATypeNeverAskedForIsIgnoredNotAckedIntoAWildcardSubscription() throws Exception {
    try (ServiceDiscovery xds = xds(Map.of())) {
      controlPlane.awaitRequest(ResourceType.CDS); // no service yet: only clusters are asked for

      controlPlane.send(ResourceType.EDS, "1", Resources.endpoints("reviews", 9080));
      DiscoveryRequest cdsAck = controlPlane.awaitAnswer(controlPlane.send(ResourceType.CDS, "1"));

      assertThat(cdsAck.hasErrorDetail()).isFalse();
      // An ACK of the EDS response would be the first EDS request of the stream, naming no resource: the legacy
      // wildcard, asking for the endpoints of every cluster in the mesh.
      assertThat(controlPlane.requests(ResourceType.EDS)).as("EDS requests").isEmpty();
      assertThat(metrics.versions()).doesNotContainKey("eds");
    }
  }
}
