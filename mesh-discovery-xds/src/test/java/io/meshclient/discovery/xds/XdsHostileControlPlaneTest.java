package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A control plane that sends what it was not asked for, or sends it wrong, or not at all: the client keeps what it
 * accepted, asks for nothing more than it needs, NACKs naming the problem, and calls say what is missing.
 */
@Timeout(60)
class XdsHostileControlPlaneTest extends ScriptedMeshTest {
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

  @Test
  void twoResourcesOfOneNameInAResponseAreNackedAndTheAcceptedOneKeepsServing() throws Exception {
    reviewsServedByA(mesh -> {
      String nonce = controlPlane.send(ResourceType.EDS, "2", Resources.endpoints(V1, backends.port("a")),
          Resources.endpoints(V1, backends.port("b")));
      assertThat(nack(nonce)).isEqualTo("cluster_load_assignment " + V1 + ": name: '" + V1 + "' sent more than once "
          + "(expected: one resource of each name in a response, as Envoy requires)");

      awaitServedBy(mesh, "a");
      assertThat(backends.counts()).containsEntry("b", 0);
      assertThat(metrics.versions()).containsEntry("eds", "1");
    });
  }

  @Test
  void resourcesWithAnEmptyNameAreNackedNamingTheTypeAndIndexAndTheNamedOnesAreApplied() throws Exception {
    reviewsServedByA(mesh -> {
      String expected = ": '' (expected: a non-empty name, as Envoy requires)";
      assertThat(nack(controlPlane.send(ResourceType.LDS, "2", Resources.listener("reviews:9080", "reviews-routes"),
          Resources.listener("", "reviews-routes")))).isEqualTo("listener resources[1]: name" + expected);
      assertThat(nack(controlPlane.send(ResourceType.RDS, "2", reviewsRoutes().toBuilder().setName("").build(),
          reviewsRoutes()))).isEqualTo("route_configuration resources[0]: name" + expected);
      assertThat(nack(controlPlane.send(ResourceType.CDS, "2", Resources.cluster(""), Resources.cluster(V1))))
          .isEqualTo("cluster resources[0]: name" + expected);
      assertThat(nack(controlPlane.send(ResourceType.EDS, "2", Resources.endpoints(V1, backends.port("b")),
          Resources.endpoints("", backends.port("a"))))).isEqualTo("cluster_load_assignment resources[1]: cluster_name"
          + expected);

      awaitServedBy(mesh, "b");
      assertThat(metrics.versions()).containsEntry("lds", "1").containsEntry("cds", "1").containsEntry("eds", "1");
    });
  }

  @Test
  void aCallToAClusterTheControlPlaneDeletedFailsSayingSo() throws Exception {
    reviewsServedByA(mesh -> {
      assertAcked(controlPlane.send(ResourceType.CDS, "2", Resources.cluster("other")));

      Load.await(() -> {
        try {
          Load.call(mesh, "http://reviews/");
          return false;
        } catch (NoHealthyInstanceException e) {
          return true;
        } catch (java.io.IOException e) {
          return false;
        }
      }, Duration.ofSeconds(10), "calls failing");
      assertThatThrownBy(() -> Load.call(mesh, "http://reviews/")).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessageEndingWith("cluster " + V1 + " is not among the clusters CDS sent: the control plane deleted it, "
              + "or never sent it");
    });
  }

  @Test
  void aClusterResponseWithAResourceThatDoesNotDecodeDeletesNothing() throws Exception {
    reviewsServedByA(mesh -> {
      // V1 as a listener would have it, and bytes no Cluster decodes from: which cluster either was meant to be
      // cannot be known, so none is taken as deleted
      var garbage = com.google.protobuf.Any.newBuilder().setTypeUrl(ResourceType.CDS.typeUrl())
          .setValue(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2})).build();
      var wrongType = com.google.protobuf.Any.pack(Resources.listener(V1, "reviews-routes"));
      assertThat(nack(controlPlane.send(ResourceType.CDS, "2", garbage, wrongType))).isEqualTo("cluster: resource: "
          + ResourceType.CDS.typeUrl() + " (expected: a decodable envoy.config.cluster.v3.Cluster); cluster: resource: "
          + ResourceType.LDS.typeUrl() + " (expected: a decodable envoy.config.cluster.v3.Cluster)");

      awaitServedBy(mesh, "a");
      assertThat(metrics.versions()).containsEntry("cds", "1");
    });
  }

  @Test
  void aCallToAServiceNotDescribedYetSaysWhatIsMissingAndWhyTheStreamIsDown() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    Map<String, Object> settings = Map.of("server-uri", "127.0.0.1:" + closedPort, "node-id", "test~productpage",
        "initial-wait", "1s", "services", Map.of("reviews", 9080));
    try (ServiceDiscovery xds = new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds",
        settings)); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      Load.await(() -> xds.status().lastError() != null, Duration.ofSeconds(10), "the stream failing");
      assertThatThrownBy(() -> Load.call(mesh, "http://reviews/")).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessageContaining("listener reviews:9080 has not been received from the control plane; "
              + "the ADS stream to the control plane is down (UNAVAILABLE: ");
    }
  }

  @Test
  void aCallToAServiceWhoseListenerWasNotSentYetSaysSo() throws Exception {
    try (ServiceDiscovery xds = xds(Map.of("reviews", 9080)); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
      controlPlane.awaitRequest(ResourceType.LDS);
      assertAcked(controlPlane.send(ResourceType.CDS, "1", Resources.cluster(V1)));

      assertThatThrownBy(() -> Load.call(mesh, "http://reviews/")).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessageEndingWith("listener reviews:9080 has not been received from the control plane");
    }
  }

  @Test
  void aResponseOverTheMessageLimitEndsTheStreamAndTheLastGoodConfigurationKeepsServing() throws Exception {
    // the test's server, writing to the stream the client reset, logs a stack trace
    java.util.logging.Logger serverLog = java.util.logging.Logger.getLogger(
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");
    java.util.logging.Level level = serverLog.getLevel();
    serverLog.setLevel(java.util.logging.Level.SEVERE);
    try {
      sendAResponseOverTheMessageLimit();
    } finally {
      serverLog.setLevel(level);
    }
  }

  private void sendAResponseOverTheMessageLimit() throws Exception {
    reviewsServedByA(mesh -> {
      int streams = controlPlane.requests(ResourceType.LDS).size();
      // gRPC's default limit on a received message is 4 MiB, as in gRPC's own xDS client
      var huge = Resources.cluster("x".repeat(5 * 1024 * 1024));
      controlPlane.send(ResourceType.CDS, "2", Resources.cluster(V1), huge);

      Load.await(() -> controlPlane.requests(ResourceType.LDS).size() > streams, Duration.ofSeconds(10),
          "the client asking again on a new stream");
      assertThat(controlPlane.requests(ResourceType.CDS)).last().satisfies(r -> {
        assertThat(r.getVersionInfo()).as("the last version ACKed").isEqualTo("1");
        assertThat(r.hasErrorDetail()).isFalse();
      });
      assertThat(metrics.status().lastError()).startsWith("stream ended: RESOURCE_EXHAUSTED: ");
      awaitServedBy(mesh, "a");
    });
  }

  @Test
  void aControlPlaneThatNeverAnswersTheHandshakeIsNotTakenToHaveSentNoResource() throws Exception {
    // a port that takes the TCP connection and never speaks HTTP/2: the stream never becomes ready
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Map<String, Object> settings = Map.of("server-uri", "127.0.0.1:" + silent.getLocalPort(), "node-id",
          "test~productpage", "initial-wait", "1s", "resource-timeout", "100ms", "services", Map.of("reviews", 9080));
      long start = System.nanoTime();
      try (ServiceDiscovery xds = new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds",
          settings)); Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the initial wait, not the resource timeout")
            .isGreaterThan(Duration.ofMillis(900));
        assertThatThrownBy(() -> Load.call(mesh, "http://reviews/")).isInstanceOf(NoHealthyInstanceException.class)
            .hasMessageEndingWith("listener reviews:9080 has not been received from the control plane; "
                + "the ADS stream to the control plane has not answered yet");
      }
    }
  }

  @Test
  void aWatchOfTheApplicationThatThrowsNeitherNacksAnUpdateNorHalfAppliesIt() throws Exception {
    reviewsServedByA(mesh -> {
      try (ServiceDiscovery.Watch careless = discovery.watch("reviews", instances -> {
        throw new IllegalStateException("the application's watch failed");
      })) {
        assertAcked(controlPlane.send(ResourceType.EDS, "2", Resources.endpoints(V1, backends.port("b"))));

        awaitServedBy(mesh, "b");
        assertThat(metrics.versions()).containsEntry("eds", "2");
      }
    });
  }

  @Test
  void resourcesWrappedWithATtlAsGoControlPlaneSendsThemAreUnwrappedAndAHeartbeatKeepsTheResource() throws Exception {
    reviewsServedByA(mesh -> {
      var ttl = com.google.protobuf.Duration.newBuilder().setSeconds(30).build();
      var endpoints = io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder().setName(V1).setTtl(ttl)
          .setResource(com.google.protobuf.Any.pack(Resources.endpoints(V1, backends.port("b")))).build();
      assertAcked(controlPlane.send(ResourceType.EDS, "2", endpoints));
      awaitServedBy(mesh, "b");

      // a heartbeat: the cluster's name and TTL without the cluster; a state-of-the-world CDS response that
      // leaves a cluster out deletes it, a heartbeat does not
      var heartbeat = io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder().setName(V1).setTtl(ttl).build();
      assertAcked(controlPlane.send(ResourceType.CDS, "2", heartbeat));
      awaitServedBy(mesh, "b");
      assertThat(metrics.versions()).containsEntry("cds", "2").containsEntry("eds", "2");
    });
  }
}
