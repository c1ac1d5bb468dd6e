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
      try (var xds = discovery(controlPlane, token)) {
        awaitAuthorizations(controlPlane, List.of("Bearer token-one"));

        Files.writeString(token, "token-two\n");
        controlPlane.stop();
        controlPlane.start();

        awaitAuthorizations(controlPlane, List.of("Bearer token-one", "Bearer token-two"));
      }
    }
  }

  /**
   * A token file that never ends ({@code /dev/zero}, size 0 on paper) was read whole on every connect, until
   * the JVM ran out of memory; it is read up to 64 KB and the stream refused as unauthenticated, saying why.
   */
  @Test
  void aTokenFileThatNeverEndsIsNotReadWholeAndTheStatusSaysWhy() throws Exception {
    Path endless = Path.of("/dev/zero");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(endless), "/dev/zero");
    try (ControlPlane controlPlane = new ControlPlane()) {
      try (var xds = discovery(controlPlane, endless)) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (xds.status().lastError() == null && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(xds.status().lastError()).contains("the xDS token file /dev/zero holds more than 64 KB "
            + "(expected: one bearer token)");
        assertThat(controlPlane.authorizations()).isEmpty();
      }
    }
  }

  /** The xDS discovery of {@code reviews} from {@code controlPlane}, sending {@code token} as call credentials. */
  private io.meshclient.api.ServiceDiscovery discovery(ControlPlane controlPlane, Path token) throws Exception {
    Path bootstrap = Files.writeString(dir.resolve("grpc-bootstrap.json"), """
        {"xds_servers": [{"server_uri": "%s", "channel_creds": [{"type": "insecure"}],
          "call_creds": [{"type": "jwt_token_file", "config": {"jwt_token_file": "%s"}}]}],
         "node": {"id": "n1"}}
        """.formatted(controlPlane.target(), token));
    return new XdsDiscoveryProvider().create(new DiscoveryContext("mesh.discovery.xds",
        Map.of("bootstrap", bootstrap.toString(), "initial-wait", "0s", "services", Map.of("reviews", 9080),
            "reconnect", Map.of("initial", "50ms", "max", "100ms"))));
  }

  private static void awaitAuthorizations(ControlPlane controlPlane, List<String> expected) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!controlPlane.authorizations().equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(controlPlane.authorizations()).isEqualTo(expected);
  }
}
