package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ways an operator replaces a watched mesh.yaml that {@link ConfigFileWatchTest} does not cover: its directory
 * deleted and made anew, the file replaced by a directory, a change that keeps the file's time stamp, two changes
 * within one check. Each ends with the last good version in force at real servers.
 */
@Timeout(60)
class ConfigFileReplacementTest extends ReviewsBackends {
  private static final Duration CHECK_EVERY = Duration.ofMillis(300);

  @TempDir
  Path tmp;

  private static String routeTo(String subset, String timeout) {
    return """
        mesh:
          defaults: { timeout: %s }
          services:
            reviews:
              subsets: { v1: { version: v1 }, v2: { version: v2 } }
              routes:
                - to: %s
        """.formatted(timeout, subset);
  }

  private Mesh watch(Path file, boolean fileEvents) {
    Mesh.Builder builder = Mesh.builder().watchConfigFile(file, CHECK_EVERY).discovery("memory", discovery)
        .meterRegistry(meters);
    mesh = (fileEvents ? builder : builder.withoutConfigFileEvents()).build();
    return mesh;
  }

  /** {@link #get()} for polling conditions. */
  private String answer() {
    try {
      return get();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theDirectoryDeletedAndMadeAnewIsWatchedAgain() throws Exception {
    Path conf = Files.createDirectory(tmp.resolve("conf"));
    Path file = Files.writeString(conf.resolve("mesh.yaml"), routeTo("v1", "3s"));
    watch(file, true);
    Files.delete(file);
    Files.delete(conf);
    Thread.sleep(CHECK_EVERY.toMillis() * 2);
    assertThat(get()).isEqualTo("v1");
    Files.createDirectory(conf);
    Files.writeString(conf.resolve("mesh.yaml"), routeTo("v2", "3s"));
    Await.until("the version in the new directory", () -> "v2".equals(answer()));
    Files.writeString(file, routeTo("v2", "4s"));
    Await.until("a later change in it", () -> mesh.config().defaults().timeout().equals(Duration.ofSeconds(4)));
    assertThat(reconfigurations("refused")).isZero();
  }

  /**
   * The watch named only the exception's class, and a directory in the file's place read as "cannot be read
   * (IOException)". It is described as at start-up: a directory, a missing file, a denied permission.
   */
  @Test
  void theFileReplacedByADirectoryIsReportedAsOneAndTheConfigurationKeptUntilAFileIsBack() throws Exception {
    Path file = Files.writeString(tmp.resolve("mesh.yaml"), routeTo("v1", "3s"));
    try (LogWarnings logged = new LogWarnings(ConfigFileWatch.class)) {
      watch(file, true);
      Files.delete(file);
      Files.createDirectory(file);
      Await.until("the directory reported", () -> !logged.messages.isEmpty());
      Thread.sleep(CHECK_EVERY.toMillis() * 2);
      assertThat(logged.messages).containsExactly(file + ": cannot be read (a directory, not a file: " + file
          + "); the configuration in force keeps serving");
    }
    assertThat(get()).isEqualTo("v1");
    Files.delete(file);
    Files.writeString(file, routeTo("v2", "3s"));
    Await.until("the file that is back", () -> "v2".equals(answer()));
    assertThat(reconfigurations("refused")).isZero();
  }

  @Test
  void aChangeThatKeepsTheTimeStampIsSeenWithoutFileEvents() throws Exception {
    Path file = Files.writeString(tmp.resolve("mesh.yaml"), routeTo("v1", "3s"));
    FileTime stamp = Files.getLastModifiedTime(file);
    watch(file, false);
    Files.writeString(file, routeTo("v2", "3s"));
    Files.setLastModifiedTime(file, stamp);
    Await.until("the change with the old time stamp", () -> "v2".equals(answer()));
  }

  @Test
  void twoChangesWithinOneCheckEndWithTheSecondInForce() throws Exception {
    Path file = Files.writeString(tmp.resolve("mesh.yaml"), routeTo("v1", "3s"));
    watch(file, false);
    Files.writeString(file, routeTo("v1", "4s"));
    Files.writeString(file, routeTo("v2", "5s"));
    Await.until("the second change", () -> mesh.config().defaults().timeout().equals(Duration.ofSeconds(5)));
    assertThat(get()).isEqualTo("v2");
    assertThat(reconfigurations("applied")).isEqualTo(1.0);
  }

  /**
   * A refused version is tried again once the configuration in force changes (it may have clashed with another
   * source), but not when an attached source lays the same settings again, as one that pushes instances often does.
   */
  @Test
  void aRefusedVersionIsNotTriedAgainWhenAnotherSourceLaysEqualSettings() throws Exception {
    Path file = Files.writeString(tmp.resolve("mesh.yaml"), routeTo("v1", "3s"));
    watch(file, false);
    Files.writeString(file, routeTo("v1", "3s").replace("- to: v1", "- split: { v1: 80, v2: -5 }"));
    Await.until("the bad version refused", () -> reconfigurations("refused") == 1.0);
    mesh.layer("same settings", c -> new io.meshclient.core.config.MeshConfig(c.discovery(), c.defaults(),
        c.services(), c.unknownHosts()));
    Thread.sleep(CHECK_EVERY.toMillis() * 3);
    assertThat(reconfigurations("refused")).isEqualTo(1.0);
    assertThat(get()).isEqualTo("v1");
  }
}
