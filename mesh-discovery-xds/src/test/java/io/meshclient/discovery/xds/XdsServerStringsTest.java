package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshclient.api.ServiceDiscovery;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The strings a control plane sends (version_info, nonce, type URLs, the names of resources, filters and
 * headers) are logged, shown in the status and in the reasons calls fail with cut and on one line; the version_info
 * and nonce a control plane sends are kept, sent back in every request of their type, shown in the
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

  @Test
  void aVersionWithTheLineSeparatorsLogViewersHonourIsLoggedWithThemEscaped() throws Exception {
    try (LogRecorder log = new LogRecorder(AdsStream.class)) {
      reviewsServedByA(mesh -> {
        String broken = "3\u0085WARNING: a\u2028WARNING: b\u2029WARNING: c";

        String nack = nack(controlPlane.send(ResourceType.EDS, broken, Resources.endpoints("", backends.port("b"))));

        String shown = "3\\u0085WARNING: a\\u2028WARNING: b\\u2029WARNING: c";
        assertThat(log.warnings()).containsExactly("xDS: NACK EDS version " + shown + ": " + nack);
        assertThat(metrics.status().lastError()).isEqualTo("NACK EDS version " + shown + ": " + nack)
            .doesNotContain("\u0085", "\u2028", "\u2029");
        awaitServedBy(mesh, "a");
      });
    }
  }

  @Test
  void aRouteConfigurationNeverSentIsWarnedAboutWithItsNameCutAndOnOneLine() throws Exception {
    String routes = "r\nWARNING: forged" + "x".repeat(MIB);
    String shown = "r\\nWARNING: forged" + "x".repeat(111) + "...(" + routes.length() + " characters)";
    try (LogRecorder log = new LogRecorder(XdsClient.class);
        ServiceDiscovery xds = xds(Map.of("reviews", 9080), Map.of("resource-timeout", "300ms"))) {
      controlPlane.awaitRequest(ResourceType.LDS);
      assertAcked(controlPlane.send(ResourceType.CDS, "1", Resources.cluster(V1)));
      assertAcked(controlPlane.send(ResourceType.LDS, "1", Resources.listener("reviews:9080", routes)));

      String why = "route_configuration " + shown + " was not sent within the resource timeout: taken not to exist";
      Load.await(() -> why.equals(xds.whyNoInstances("reviews", Map.of())), Duration.ofSeconds(10),
          "calls to reviews failing for want of the route configuration"); // logged before
      assertThat(log.warnings()).containsExactly("xDS: RDS resource " + shown + " was not sent within the resource "
          + "timeout: taken not to exist; calls that need it fail");
    }
  }

  @Test
  void aFilterNotImplementedIsNotedWithItsNameAndTypeCutAndOnOneLine() throws Exception {
    try (LogRecorder log = new LogRecorder(XdsClient.class)) {
      reviewsServedByA(mesh -> {
        String name = "f\nWARNING: forged" + "y".repeat(MIB);
        String type = "type.googleapis.com/z\rWARNING: forged" + "z".repeat(MIB);
        HttpFilter filter = HttpFilter.newBuilder().setName(name).setIsOptional(true)
            .setTypedConfig(Any.newBuilder().setTypeUrl(type)).build();

        assertAcked(controlPlane.send(ResourceType.LDS, "2", Resources.listener("reviews:9080", "reviews-routes",
            filter)));

        String note = "listener reviews:9080: api_listener.http_connection_manager.http_filters[0] (f\\nWARNING: "
            + "forged" + "y".repeat(111) + "...(" + name.length() + " characters)): type.googleapis.com/z\\rWARNING: "
            + "forged" + "z".repeat(91) + "...(" + type.length() + " characters) is not implemented and is_optional: "
            + "skipped";
        assertThat(metrics.notImplemented()).containsExactly(note);
        assertThat(metrics.status().notImplemented()).containsExactly(note);
        assertThat(log.warnings()).containsExactly("xDS: " + note);
        awaitServedBy(mesh, "a");
      });
    }
  }

  @Test
  void aClusterNameInANackIsCutAndOnOneLine() throws Exception {
    reviewsServedByA(mesh -> {
      String cluster = "c\nWARNING: forged" + "x".repeat(MIB);
      RouteConfiguration routes = Resources.routes("reviews-routes", List.of("reviews:9080"),
          Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), cluster));

      String nack = nack(controlPlane.send(ResourceType.RDS, "2", routes));

      assertThat(nack).endsWith(": routes[].route.cluster: c\\nWARNING: forged" + "x".repeat(111) + "...("
          + cluster.length() + " characters) (expected: a cluster CDS version 1 has (one of [" + V1 + "]))")
          .hasSizeLessThan(400);
      awaitServedBy(mesh, "a");
    });
  }

  @Test
  void aTlsFileNamedWithALineBreakIsCutAndOnOneLineInTheReasonCallsFailWith() throws Exception {
    try (ServiceDiscovery xds = xds(Map.of("reviews", 9080))) {
      controlPlane.awaitRequest(ResourceType.CDS);
      String file = "/no/such/ca\nWARNING: forged" + "x".repeat(MIB);
      var trust = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.newBuilder()
          .setValidationContext(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext
              .newBuilder().setTrustedCa(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder().setFilename(file)));
      var cluster = TlsMappingTest.withTls(Resources.cluster(V1),
          io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.newBuilder()
              .setCommonTlsContext(trust).build());

      nack(controlPlane.send(ResourceType.CDS, "1", cluster));

      assertThat(xds.whyNoInstances("reviews", Map.of(ServiceMapping.CLUSTER_KEY, V1)))
          .startsWith("cluster " + V1 + " has no accepted version: the control plane sent an invalid one (CDS "
              + "version 1, NACKed): ")
          .contains("/no/such/ca\\nWARNING: forged").doesNotContain("\n")
          .hasSizeLessThan(ResourceUpdate.MAX_DETAIL + 300); // the mesh's refusal, naming the file, is cut
    }
  }
}
