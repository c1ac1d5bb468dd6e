package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshclient.api.ServiceDiscovery;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The version_info and nonce a control plane sends are kept, sent back in every request of their type, shown in the
 * status and logged: one longer than 1024 characters is NACKed, and what is logged of them is cut and on one line.
 */
@Timeout(60)
class XdsServerStringsTest extends ScriptedMeshTest {
  static final int MIB = 1024 * 1024;

  @Test
  void aVersionLongerThanTheBoundIsNackedNamingItsLengthAndNeitherKeptNorLoggedWhole() throws Exception {
    try (LogRecorder log = new LogRecorder(AdsStream.class)) {
      reviewsServedByA(mesh -> {
        String version = "2\nWARNING: forged" + "x".repeat(MIB);

        String nack = nack(controlPlane.send(ResourceType.EDS, version, Resources.endpoints(V1, backends.port("b"))));

        assertThat(nack).isEqualTo("EDS response: version_info: " + version.length() + " characters (expected: at most "
            + "1024 characters)");
        assertThat(controlPlane.requests(ResourceType.EDS)).last().extracting(DiscoveryRequest::getVersionInfo)
            .as("the version the NACK sends back: the last accepted").isEqualTo("1");
        assertThat(log.warnings()).containsExactly("xDS: NACK EDS version 2\\nWARNING: forged" + "x".repeat(111)
            + "...(" + version.length() + " characters): " + nack);
        assertThat(metrics.status().lastError()).hasSizeLessThan(500);
        assertThat(metrics.versions()).containsEntry("eds", "1");
        awaitServedBy(mesh, "a");
      });
    }
  }

  @Test
  void aNonceLongerThanTheBoundIsNackedWithoutBeingSentBack() throws Exception {
    reviewsServedByA(mesh -> {
      String before = controlPlane.requests(ResourceType.EDS).get(controlPlane.requests(ResourceType.EDS).size() - 1)
          .getResponseNonce();
      int requests = controlPlane.requests(ResourceType.EDS).size();

      controlPlane.sendWithNonce(ResourceType.EDS, "2", "n".repeat(MIB), Resources.endpoints(V1, backends.port("b")));

      Load.await(() -> controlPlane.requests(ResourceType.EDS).size() > requests, Duration.ofSeconds(10), "the NACK");
      DiscoveryRequest answer = controlPlane.requests(ResourceType.EDS).get(requests);
      assertThat(answer.getErrorDetail().getMessage()).isEqualTo("EDS response: nonce: " + MIB + " characters "
          + "(expected: at most 1024 characters)");
      assertThat(answer.getResponseNonce()).as("the nonce of the response before").isEqualTo(before);
      assertThat(answer.getVersionInfo()).isEqualTo("1");
      assertThat(metrics.versions()).containsEntry("eds", "1");
      awaitServedBy(mesh, "a");
    });
  }

  @Test
  void aResponseOfAnUnknownTypeIsLoggedWithItsTypeCutAndOnOneLine() throws Exception {
    try (LogRecorder log = new LogRecorder(AdsStream.class); ServiceDiscovery xds = xds(Map.of())) {
      controlPlane.awaitRequest(ResourceType.CDS);
      String type = "type.googleapis.com/x\nWARNING: forged" + "y".repeat(MIB);

      controlPlane.sendOfType(type, "1");
      assertAcked(controlPlane.send(ResourceType.CDS, "1")); // one thread: the other is logged by then

      assertThat(log.warnings()).containsExactly("xDS: ignoring a response of the unsubscribed type "
          + "type.googleapis.com/x\\nWARNING: forged" + "y".repeat(91) + "...(" + type.length() + " characters)");
    }
  }

  @Test
  void aVersionAndNonceAtTheBoundAreTakenAndAVersionWithALineBreakIsLoggedOnOneLine() throws Exception {
    try (LogRecorder log = new LogRecorder(AdsStream.class)) {
      reviewsServedByA(mesh -> {
        String longest = "v".repeat(ServerStrings.MAX_LENGTH);
        String nonce = controlPlane.sendWithNonce(ResourceType.EDS, longest, "n".repeat(ServerStrings.MAX_LENGTH),
            Resources.endpoints(V1, backends.port("b")));
        assertAcked(nonce);
        assertThat(metrics.versions()).containsEntry("eds", longest);

        String broken = "3\r\nWARNING: forged";
        String nack = nack(controlPlane.send(ResourceType.EDS, broken, Resources.endpoints("", backends.port("a"))));

        assertThat(log.warnings()).containsExactly("xDS: NACK EDS version 3\\r\\nWARNING: forged: " + nack);
        assertThat(metrics.status().lastError()).isEqualTo("NACK EDS version 3\\r\\nWARNING: forged: " + nack);
        awaitServedBy(mesh, "b");
      });
    }
  }
}
