package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.metrics.MeshMetricNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh built with {@code watchConfigFile} follows its mesh.yaml: each way a file is commonly replaced
 * (a write in place, a rename over it, a Kubernetes ConfigMap's symbolic-link swap) reaches the mesh,
 * under load without losing a call, and a bad version is refused while the old routes keep serving.
 */
@Timeout(60)
class ConfigFileWatchTest extends ReviewsBackends {
  private static final Duration CHECK_EVERY = Duration.ofMillis(500);

  @TempDir
  Path dir;

  private static String routeTo(String subset) {
    return """
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 }, v2: { version: v2 } }
              routes:
                - to: %s
        """.formatted(subset);
  }

  private Mesh watch(Path file) {
    mesh = Mesh.builder().watchConfigFile(file, CHECK_EVERY).discovery("memory", discovery).meterRegistry(meters)
        .build();
    return mesh;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Await.until(what, condition);
  }

  /** Writes {@code text} to a temporary file beside {@code file} and renames it over it, as editors do. */
  private static void replace(Path file, String text) throws IOException {
    Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), text);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aFileReplacedUnderEightThreadsOfLoadTakesEffectWithoutLosingACall() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), routeTo("v1"));
    watch(file);
    assertThat(get()).isEqualTo("v1");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger v2AfterSwitch = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> workers = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        workers.add(pool.submit(() -> {
          while (running.get()) {
            try {
              if ("v2".equals(get())) {
                v2AfterSwitch.incrementAndGet();
              }
            } catch (IOException | RuntimeException e) {
              failed.incrementAndGet();
            }
            calls.incrementAndGet();
          }
        }));
      }
      await("calls before the change", () -> calls.get() >= 400);
      int v1Before = v1.requests();
      replace(file, routeTo("v2"));
      await("the first call to reach v2", () -> v2AfterSwitch.get() > 0);
      int callsAtSwitch = calls.get();
      await("400 calls after the change", () -> calls.get() >= callsAtSwitch + 400);
      int v1AfterSwitch = v1.requests();
      await("400 more calls", () -> calls.get() >= callsAtSwitch + 800);
      running.set(false);
      for (Future<?> w : workers) {
        w.get(10, TimeUnit.SECONDS);
      }
      System.out.printf("file watch under load: %d calls, %d failed; v1 served %d before the change, v2 %d after%n",
          calls.get(), failed.get(), v1Before, v2AfterSwitch.get());
      assertThat(failed.get()).as("calls lost while the file was swapped in").isZero();
      assertThat(v1.requests()).as("v1 requests once the new routes were in force (8 calls may have been in flight)")
          .isLessThanOrEqualTo(v1AfterSwitch + 8);
      assertThat(v2.requests()).isGreaterThanOrEqualTo(400);
      assertThat(reconfigurations("applied")).isEqualTo(1.0);
      assertThat(mesh.config().service("reviews").routes()).hasSize(1);
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
  }

  @Test
  void badVersionsAreRefusedCountedAndTheOldRoutesKeepServingUntilAGoodOneArrives() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), routeTo("v1"));
    watch(file);
    // Written in place, not renamed: a value the validator refuses...
    Files.writeString(file, routeTo("v1").replace("- to: v1", "- split: { v1: 80, v2: -5 }"));
    await("the invalid split to be refused", () -> reconfigurations("refused") == 1.0);
    assertThat(get()).isEqualTo("v1");
    // ...an empty file (taken for one being written: neither applied nor refused)...
    Files.writeString(file, "");
    Thread.sleep(CHECK_EVERY.toMillis() * 2);
    assertThat(reconfigurations("refused")).isEqualTo(1.0);
    assertThat(get()).isEqualTo("v1");
    // ...text YAML cannot parse...
    Files.writeString(file, "mesh: { services: [ reviews\n");
    await("the unparsable file to be refused", () -> reconfigurations("refused") == 2.0);
    assertThat(get()).isEqualTo("v1");
    // ...a file that is gone for a while (not a configuration change: nothing is counted)...
    Files.delete(file);
    Thread.sleep(CHECK_EVERY.toMillis() * 2);
    assertThat(get()).isEqualTo("v1");
    // ...and then a good version.
    Files.writeString(file, routeTo("v2"));
    await("the good version to be applied", () -> reconfigurations("applied") == 1.0);
    assertThat(get()).isEqualTo("v2");
    assertThat(reconfigurations("refused")).isEqualTo(2.0);
  }

  /**
   * {@code echo > mesh.yaml} leaves one line feed, and an editor may save a file reduced to comments: such a version
   * holds no configuration at all, yet it was applied as an empty one, and every route was gone (calls spread over
   * v1 and v2). It is refused, counted, and the routes in force keep serving.
   */
  @Test
  void aFileOfOnlyBlankLinesOrCommentsIsRefusedAndTheRoutesKeepServing() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), routeTo("v1"));
    watch(file);
    Files.writeString(file, "\n");
    await("the blank file to be refused", () -> reconfigurations("refused") == 1.0);
    Files.writeString(file, "# mesh.yaml, being rewritten\n---\n");
    await("the comments-only file to be refused", () -> reconfigurations("refused") == 2.0);
    for (int i = 0; i < 10; i++) {
      assertThat(get()).isEqualTo("v1");
    }
    assertThat(reconfigurations("applied")).isZero();
    assertThat(mesh.config().service("reviews").routes()).hasSize(1);
    replace(file, "mesh: { services: {} }\n"); // an empty configuration, written as one, is taken
    await("the written empty configuration to be applied", () -> reconfigurations("applied") == 1.0);
    assertThat(mesh.config().services()).isEmpty();
  }

  /** Kubernetes updates a mounted ConfigMap by pointing {@code ..data} at a new directory, atomically. */
  @Test
  void aKubernetesConfigMapSymlinkSwapIsSeen() throws Exception {
    Path first = Files.createDirectory(dir.resolve("..2026_11_27_08_00_00.1"));
    Files.writeString(first.resolve("mesh.yaml"), routeTo("v1"));
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file = Files.createSymbolicLink(dir.resolve("mesh.yaml"), Path.of("..data", "mesh.yaml"));
    watch(file);
    assertThat(get()).isEqualTo("v1");

    Path second = Files.createDirectory(dir.resolve("..2026_11_27_08_01_00.2"));
    Files.writeString(second.resolve("mesh.yaml"), routeTo("v2"));
    Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
    Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.delete(first.resolve("mesh.yaml"));
    Files.delete(first);

    await("the swapped-in version to be applied", () -> reconfigurations("applied") == 1.0);
    assertThat(get()).isEqualTo("v2");
  }

  /** Some network and container mounts send no file events: the file is then read every checkEvery. */
  @Test
  void withoutFileEventsTheFileIsCheckedEveryCheckEvery() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), routeTo("v1"));
    mesh = Mesh.builder().watchConfigFile(file, CHECK_EVERY).withoutConfigFileEvents().discovery("memory", discovery)
        .meterRegistry(meters).build();
    replace(file, routeTo("v2"));
    long start = System.nanoTime();
    await("the new version to be applied", () -> reconfigurations("applied") == 1.0);
    System.out.printf("without file events, applied after %d ms (checkEvery %d ms)%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), CHECK_EVERY.toMillis());
    assertThat(get()).isEqualTo("v2");
  }

  @Test
  void aJsonFileIsReadAsJson() throws Exception {
    String json = "{\"mesh\": {\"services\": {\"reviews\": {\"subsets\": {\"v1\": {\"version\": \"v1\"},"
        + " \"v2\": {\"version\": \"v2\"}}, \"routes\": [{\"to\": \"%s\"}]}}}}";
    Path file = Files.writeString(dir.resolve("mesh.json"), json.formatted("v1"));
    watch(file);
    assertThat(get()).isEqualTo("v1");
    replace(file, json.formatted("v2"));
    await("the JSON version to be applied", () -> reconfigurations("applied") == 1.0);
    assertThat(get()).isEqualTo("v2");
  }

  @Test
  void touchingTheFileWithoutChangingItAppliesNothing() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), routeTo("v1"));
    watch(file);
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    Files.writeString(file, routeTo("v1"));
    Thread.sleep(CHECK_EVERY.toMillis() * 2);
    assertThat(reconfigurations("applied")).isZero();
    assertThat(reconfigurations("refused")).isZero();
  }

  /**
   * A file past 2 GB (a log or a core dump copied over mesh.yaml by mistake) made the watch's read throw
   * OutOfMemoryError, which ended the watch thread: no later change was ever applied. Smaller huge files were read
   * whole, twice, before the parser refused them. A file of more than 4 MB is now refused unread, at start-up and
   * when watched, and the watch goes on.
   */
  @Test
  void aHugeFileIsRefusedUnreadAndTheWatchGoesOnToTheNextVersion() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), routeTo("v1"));
    watch(file);
    Files.move(sparse(dir.resolve("huge.yaml")), file, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    Thread.sleep(CHECK_EVERY.toMillis() * 2);
    assertThat(watchThreads()).isEqualTo(1);
    assertThat(get()).isEqualTo("v1");
    replace(file, routeTo("v2"));
    await("the next good version to be applied", () -> reconfigurations("applied") == 1.0);
    assertThat(get()).isEqualTo("v2");
    Path huge = sparse(dir.resolve("huge.yaml"));
    assertThatThrownBy(() -> Mesh.builder().watchConfigFile(huge)).isInstanceOf(ConfigurationException.class)
        .hasMessage(huge + ": more than 4 MB (expected: a file of at most 4 MB)");
  }

  /** A 3 GB file of zeros, made sparse: no disk space, no time. */
  private static Path sparse(Path file) throws IOException {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(3L << 30);
    }
    return file;
  }

  @Test
  void closeStopsTheWatchThread() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), routeTo("v1"));
    watch(file);
    assertThat(watchThreads()).isEqualTo(1);
    // held before close, which removes the mesh's meters from the registry
    io.micrometer.core.instrument.Counter applied =
        meters.get(MeshMetricNames.RECONFIGURATIONS).tag(MeshMetricNames.RESULT, "applied").counter();
    mesh.close();
    assertThat(watchThreads()).isZero();
    Files.writeString(file, routeTo("v2"));
    Thread.sleep(CHECK_EVERY.toMillis() * 2);
    assertThat(applied.count()).isZero();
  }

  private static long watchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("mesh-config-watch") && t.isAlive()).count();
  }

  @Test
  void anUnreadableOrInvalidFileFailsTheBuildNamingTheFileOrTheKey() throws IOException {
    assertThatThrownBy(() -> Mesh.builder().watchConfigFile(dir.resolve("missing.yaml")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("missing.yaml").hasMessageContaining("cannot be read");
    Path bad = Files.writeString(dir.resolve("mesh.yaml"), routeTo("v1").replace("- to: v1", "- split: { v1: -1 }"),
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Mesh.builder().watchConfigFile(bad))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("mesh.services.reviews.routes[0].split.v1");
    assertThat(watchThreads()).isZero();
    Path good = Files.writeString(dir.resolve("good.yaml"), routeTo("v1"));
    assertThatThrownBy(() -> Mesh.builder().watchConfigFile(good, Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("checkEvery: PT0.01S (expected: from 100 ms to 1 day)");
  }
}
