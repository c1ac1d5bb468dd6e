package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.spi.DiscoveryContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README: a bootstrap's jwt_token_file call credentials are sent as a bearer token, re-read on each connect. */
class XdsTokenFileTest {
  @TempDir
  Path dir;

  @Test
  void theTokenFileIsSentAsABearerTokenAndReReadWhenTheStreamReconnects() throws Exception {
    Path token = Files.writeString(dir.resolve("istio-token"), "token-one\n");
    try (ControlPlane controlPlane = new ControlPlane()) {
      Path bootstrap = Files.writeString(dir.resolve("grpc-bootstrap.json"), """
          {"xds_servers": [{"server_uri": "%s", "channel_creds": [{"type": "insecure"}],
            "call_creds": [{"type": "jwt_token_file", "config": {"jwt_token_file": "%s"}}]}],
           "node": {"id": "n1"}}
          """.formatted(controlPlane.target(), token));
      try (var xds = new XdsDiscoveryProvider().create(new DiscoveryContext("mesh.discovery.xds",
          Map.of("bootstrap", bootstrap.toString(), "initial-wait", "0s", "services", Map.of("reviews", 9080),
              "reconnect", Map.of("initial", "50ms", "max", "100ms"))))) {
        awaitAuthorizations(controlPlane, List.of("Bearer token-one"));

        Files.writeString(token, "token-two\n");
        controlPlane.stop();
        controlPlane.start();

        awaitAuthorizations(controlPlane, List.of("Bearer token-one", "Bearer token-two"));
      }
    }
  }

  private static void awaitAuthorizations(ControlPlane controlPlane, List<String> expected) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!controlPlane.authorizations().equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(controlPlane.authorizations()).isEqualTo(expected);
  }
}
