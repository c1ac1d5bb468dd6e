package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.config.MeshConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14: a YAML syntax error in a mesh.yaml names the file, whether loaded or watched. */
@Timeout(60)
class ConfigFileSyntaxErrorTest {
  private static final String BROKEN = """
      mesh:
        services:
          reviews: { timeout: 2s
      """;

  @TempDir
  Path dir;

  @Test
  void loadingAFileWithASyntaxErrorNamesTheFileAndTheLine() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), BROKEN);
    assertThatThrownBy(() -> MeshConfig.load(file)).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(file + ": not valid YAML (").hasMessageContaining(" at line 4)");
  }

  @Test
  void aWatchedFileRewrittenWithASyntaxErrorIsRefusedWithAWarningNamingTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), "mesh:\n  unknown-hosts: refuse\n");
    try (LogWarnings logged = new LogWarnings(ConfigFileWatch.class);
        Mesh mesh = Mesh.builder().watchConfigFile(file, Duration.ofMillis(200)).build()) {
      List<String> warnings = logged.messages;
      Files.writeString(file, BROKEN);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (warnings.isEmpty()) {
        assertThat(System.nanoTime()).as("waited 10 s for the refusal").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(warnings).singleElement().asString()
          .startsWith("mesh configuration change in " + file + " refused, the configuration in force keeps "
              + "serving: " + file + ": not valid YAML (")
          .contains(" at line 4)");
    }
  }
}
