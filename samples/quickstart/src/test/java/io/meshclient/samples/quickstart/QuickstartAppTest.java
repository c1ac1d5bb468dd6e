package io.meshclient.samples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class QuickstartAppTest {

  @Test
  @Timeout(60)
  void splitHeaderRouteAndRateLimitAreObservedByTheBackends() throws Exception {
    Summary summary = QuickstartApp.run(5000);
    assertThat(summary.failed()).as("failures: %s", summary.failures()).isZero();
    assertThat(summary.splitShare("v1")).isCloseTo(80.0, within(3.0));
    assertThat(summary.splitShare("v3")).isCloseTo(20.0, within(3.0));
    assertThat(summary.received("v2")).isEqualTo(summary.receivedFromJason("v2"));
    assertThat(summary.receivedFromJason("v1") + summary.receivedFromJason("v3")).isZero();
    assertThat(summary.rateLimited()).isPositive();
    assertThat(summary.received("v2") + summary.rateLimited()).isEqualTo(1000);
    assertThat(summary.render()).contains("jason-to-v2", "split-v1-v3");
  }

  /** Maven's exec plugin shows only the message: it was the bare path, which did not say what was wrong with it. */
  @Test
  @Timeout(30)
  void aConfigFileThatIsNotThereIsNamedWithTheOptionAndWhy() {
    assertThatThrownBy(() -> QuickstartApp.main(new String[] {"--config", "samples/quickstart/mesh-consl.yaml"}))
        .isInstanceOf(io.meshclient.api.ConfigurationException.class)
        .hasMessageStartingWith("--config samples/quickstart/mesh-consl.yaml: cannot be read (no such file: /")
        .hasMessageEndingWith("samples/quickstart/mesh-consl.yaml)");
  }

  /** An error in the {@code --config} file named mesh.yaml, the embedded file's name, not the one given. */
  @Test
  @Timeout(30)
  void anErrorInTheConfigFileNamesThePathAsGiven(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("my-mesh.yml"), "mesh:\n  services: { reviews: [ }\n");
    assertThatThrownBy(() -> QuickstartApp.main(new String[] {"--config", file.toString()}))
        .isInstanceOf(io.meshclient.api.ConfigurationException.class)
        .hasMessageStartingWith(file + ": not valid YAML (")
        .hasMessageNotContaining("mesh.yaml");
    Path empty = Files.writeString(dir.resolve("empty.yml"), "# nothing yet\n");
    assertThatThrownBy(() -> QuickstartApp.main(new String[] {"--config", empty.toString()}))
        .isInstanceOf(io.meshclient.api.ConfigurationException.class)
        .hasMessageStartingWith(empty + ": only blank lines or comments (expected: ");
  }

  @Test
  @Timeout(30)
  void aVersionPortInUseIsNamedWithTheOptionThatChangesIt() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int v1 = free.getLocalPort();
      free.close();
      assertThatThrownBy(() -> QuickstartApp.run(1, "mesh: {}", new int[] {v1, busy.getLocalPort(), 0}))
          .isInstanceOf(BindException.class)
          .hasMessageStartingWith("reviews v2 cannot listen on 127.0.0.1:" + busy.getLocalPort() + " (")
          .hasMessageEndingWith("): stop what uses it, or give other ports with --ports");
      try (ServerSocket again = new ServerSocket(v1, 1, InetAddress.getByName("127.0.0.1"))) {
        assertThat(again.getLocalPort()).as("v1's port, released after v2 failed").isEqualTo(v1);
      }
    }
  }
}
