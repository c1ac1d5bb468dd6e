package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceDiscovery;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Building the discovery waits for the services it lists, and warns only of those it waited for in vain. */
@Timeout(60)
class XdsInitialWaitTest extends ScriptedMeshTest {
  @Test
  void withNoServiceListedNothingIsAwaitedSoNothingIsWarnedOfEvenWithoutAnInitialWait() throws Exception {
    for (int i = 0; i < 3; i++) { // the warning came of a race with the xDS thread's start
      try (LogRecorder log = new LogRecorder(XdsDiscovery.class); ServiceDiscovery xds = xds(Map.of())) {
        controlPlane.awaitRequest(ResourceType.CDS);

        assertThat(log.warnings()).isEmpty();
      }
    }
  }

  @Test
  void aListedServiceTheControlPlaneHasNotDescribedInTheInitialWaitIsWarnedOf() throws Exception {
    try (LogRecorder log = new LogRecorder(XdsDiscovery.class); ServiceDiscovery xds = xds(Map.of("reviews", 9080))) {
      controlPlane.awaitRequest(ResourceType.LDS);

      assertThat(log.warnings()).containsExactly("xDS: " + controlPlane.target() + " has not described all of "
          + "[reviews] within 0 ms: calls to a service not yet described fail until it is");
    }
  }
}
