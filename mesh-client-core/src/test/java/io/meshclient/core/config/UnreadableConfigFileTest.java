package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration file that cannot be read is refused with a message that says why and where it was
 * looked for: a newcomer who runs {@code MeshConfig.load(Path.of("mesh.yaml"))} from the wrong directory
 * sees the absolute path, not the bare name twice ({@code mesh.yaml: cannot be read (mesh.yaml)}).
 */
@Timeout(30)
class UnreadableConfigFileTest {
  @TempDir Path dir;

  @Test
  void aMissingRelativeFileIsNamedWithTheAbsolutePathItWasLookedFor() {
    Path relative = Path.of("no-such-dir", "mesh.yaml");
    String where = Path.of("").toAbsolutePath().resolve(relative).toString();
    assertThatThrownBy(() -> MeshConfig.load(relative))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(relative + ": cannot be read (no such file: " + where + ")");
    assertThatThrownBy(() -> Mesh.builder().watchConfigFile(relative))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(relative + ": cannot be read (no such file: " + where + ")");
  }

  @Test
  void aMissingIstioFileIsNamedWithItsAbsolutePath() {
    Path missing = dir.resolve("virtual-service.yaml");
    assertThatThrownBy(() -> Mesh.builder().istioConfig(missing).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(missing + ": cannot be read (no such file: " + missing + ")");
  }

  @Test
  void aFileOfMoreThan4MbIsRefusedUnreadNotReadWholeIntoMemory() throws Exception {
    // Sparse: 3 GB on paper. Read whole, it failed with an OutOfMemoryError (past 2 GB) instead of a refusal.
    Path huge = dir.resolve("mesh.yaml");
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(3L << 30);
    }
    assertThatThrownBy(() -> MeshConfig.load(huge))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(huge + ": more than 4 MB (expected: a file of at most 4 MB)");
    assertThatThrownBy(() -> Mesh.fromFile(huge))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(huge + ": more than 4 MB (expected: a file of at most 4 MB)");
  }

  /** A comment of {@code bytes} bytes: a file that size whose settings are a few lines. */
  private static String padding(int bytes) {
    StringBuilder out = new StringBuilder(bytes + 100);
    while (out.length() < bytes) {
      out.append("# ").append("x".repeat(97)).append('\n');
    }
    return out.toString();
  }

  @Test
  void aFileOf3To4MbIsReadNotRefusedBySnakeYamlsOwnLimitInItsOwnWords() throws Exception {
    // SnakeYAML refuses more than 3 M code points by default ("The incoming YAML document exceeds the limit"):
    // a mesh.yaml or an Istio file of 3.5 MB was refused so, under the documented 4 MB.
    Path meshYaml = dir.resolve("mesh.yaml");
    java.nio.file.Files.writeString(meshYaml, padding(3_500_000) + "mesh:\n  services:\n    api:\n      timeout: 2s\n");
    assertThat(MeshConfig.load(meshYaml).service("api").timeout()).isEqualTo(java.time.Duration.ofSeconds(2));

    Path istio = dir.resolve("reviews.yaml");
    java.nio.file.Files.writeString(istio, padding(3_500_000) + """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          trafficPolicy: { loadBalancer: { simple: RANDOM } }
        """);
    try (Mesh mesh = Mesh.builder().istioConfig(istio)
        .discovery("memory", new io.meshclient.core.InMemoryDiscovery()).build()) {
      assertThat(mesh.config().service("reviews").loadBalancer().name()).isEqualTo("random");
    }
  }

  @Test
  void anIstioFileOfMoreThan4MbIsRefusedInTheWordsOfMeshYaml() throws Exception {
    Path istio = dir.resolve("reviews.yaml");
    java.nio.file.Files.writeString(istio, padding(4_300_000));
    assertThatThrownBy(() -> Mesh.builder().istioConfig(istio).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(istio + ": more than 4 MB (expected: a file of at most 4 MB)");
  }

  @Test
  void aDirectoryGivenAsTheMeshYamlIsSaidToBeOne() {
    assertThatThrownBy(() -> MeshConfig.load(dir))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(dir + ": cannot be read (a directory, not a file: " + dir + ")");
  }

  /**
   * {@code touch mesh.yaml}, or a file saved with its settings commented out, holds no configuration. It was
   * built into a mesh with no services, and the first call to {@code http://reviews/} failed far from the
   * cause ("'reviews' is not a mesh service"), while the watch already refused the same content and a bare
   * {@code mesh:} line was refused. Now every reader of the file refuses it, saying how to write an empty one.
   */
  @Test
  void aFileWithoutAnySettingIsRefusedByEveryReaderSayingHowToWriteAnEmptyConfiguration() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
    Path comments = Files.writeString(dir.resolve("mesh.yaml"), "# mesh:\n#   services: {}\n\n---\n");
    String expected = " (expected: a mesh configuration; an empty one is written mesh: {})";
    assertThatThrownBy(() -> MeshConfig.load(empty))
        .isInstanceOf(ConfigurationException.class).hasMessage(empty + ": empty" + expected);
    assertThatThrownBy(() -> MeshConfig.load(comments))
        .isInstanceOf(ConfigurationException.class).hasMessage(comments + ": only blank lines or comments" + expected);
    assertThatThrownBy(() -> Mesh.fromFile(comments))
        .isInstanceOf(ConfigurationException.class).hasMessage(comments + ": only blank lines or comments" + expected);
    assertThatThrownBy(() -> Mesh.builder().watchConfigFile(empty).build())
        .isInstanceOf(ConfigurationException.class).hasMessage(empty + ": empty" + expected);
    Path written = Files.writeString(dir.resolve("written.yaml"), "# nothing yet\nmesh: {}\n");
    try (Mesh mesh = Mesh.fromFile(written)) {
      assertThat(mesh.config().services()).isEmpty();
    }
  }
}
