package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Istio's injected bootstrap names the agent's XDS proxy socket, {@code unix:///etc/istio/proxy/XDS}. */
class XdsUnixSocketTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");

  @TempDir
  Path dir;

  @Test
  void aBootstrapNamingAUnixSocketServerIsFollowed() throws Exception {
    Path socket = dir.resolve("XDS");
    try (ControlPlane controlPlane = ControlPlane.onUnixSocket(socket); Backends backends = new Backends("v1")) {
      controlPlane.set(Resources.snapshot("1", List.of(listener("reviews:9080", "rc")),
          List.of(routes("rc", List.of("reviews:9080", "reviews"), split(Map.of(V1, 100)))),
          List.of(cluster(V1)), List.of(endpoints(V1, backends.port("v1")))));
      Path bootstrap = Files.writeString(dir.resolve("grpc-bootstrap.json"), """
          {"xds_servers": [{"server_uri": "unix://%s", "channel_creds": [{"type": "insecure"}],
            "server_features": ["xds_v3"]}],
           "node": {"id": "sidecar~127.0.0.1~productpage.default~default.svc.cluster.local",
            "metadata": {"GENERATOR": "grpc"}}}
          """.formatted(socket));
      XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();
      try (var xds = new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds",
              Map.of("bootstrap", bootstrap.toString(), "services", Map.of("reviews", 9080))));
          Mesh mesh = Mesh.builder().discovery("xds", xds).build()) {
        assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("v1");
        assertThat(metrics.isConnected()).isTrue();
      }
      assertThat(backends.counts()).containsEntry("v1", 1);
    }
  }
}
