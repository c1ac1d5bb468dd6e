package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Await;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.IstioOptions;
import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A watched directory of Istio YAML as production leaves it: a mounted ConfigMap (timestamped directories behind
 * the {@code ..data} link), files that are not resources, and versions caught half-written or half-wrong. Routing is
 * checked at real servers on 127.0.0.1.
 */
@Timeout(60)
class IstioWatchedDirectoryTest extends BookinfoIstioTest {
  private static final Duration CHECK_EVERY = Duration.ofMillis(100);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  static String reviewsTo(String subset) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route:
                - destination: { host: reviews, subset: %s }
        """.formatted(subset);
  }

  private Mesh watch(Path istio) {
    return Mesh.builder().istioConfig(istio).discovery("memory", discovery).meterRegistry(meters)
        .istioOptions(IstioOptions.DEFAULT.withCheckEvery(CHECK_EVERY)).build();
  }

  private double reconfigurations(String result) {
    return meters.get(MeshMetricNames.RECONFIGURATIONS).tag(MeshMetricNames.RESULT, result).counter().count();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Await.until(what, condition);
  }

  /** Ten calls to reviews, all answered by {@code server}. */
  private static void allGoTo(Mesh mesh, String server) throws IOException {
    for (int i = 0; i < 10; i++) {
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 " + server);
    }
  }

  /** Writes {@code files} into a new timestamped directory of {@code mount} and swaps {@code ..data} to it, as kubelet does. */
  private static void configMap(Path mount, String stamp, String... files) throws IOException {
    Path version = Files.createDirectory(mount.resolve("..2026_12_07_01_" + stamp));
    for (int i = 0; i < files.length; i += 2) {
      Files.writeString(version.resolve(files[i]), files[i + 1]);
    }
    Path tmp = Files.createSymbolicLink(mount.resolve("..data_tmp"), version.getFileName());
    Files.move(tmp, mount.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    for (int i = 0; i < files.length; i += 2) {
      Path visible = mount.resolve(files[i]);
      if (!Files.isSymbolicLink(visible)) {
        Files.createSymbolicLink(visible, Path.of("..data", files[i]));
      }
    }
  }

  @Test
  void aConfigMapMountIsReadOnceAndItsSymlinkSwapIsApplied() throws Exception {
    bookinfo();
    Path mount = Files.createDirectory(dir.resolve("istio"));
    configMap(mount, "00_00.1", "rules.yaml", DESTINATION_RULES, "reviews.yaml", reviewsTo("v1"));
    try (Mesh mesh = watch(mount)) {
      allGoTo(mesh, "reviews-v1");
      configMap(mount, "01_00.2", "rules.yaml", DESTINATION_RULES, "reviews.yaml", reviewsTo("v2"));
      await("the swapped-in version", () -> reconfigurations("applied") == 1.0);
      allGoTo(mesh, "reviews-v2");
      assertThat(reconfigurations("refused")).isZero();
    }
  }

  @Test
  void filesThatAreNotResourcesAreNotRead() throws Exception {
    bookinfo();
    Path istio = Files.createDirectory(dir.resolve("istio"));
    Files.writeString(istio.resolve("rules.yaml"), DESTINATION_RULES);
    Files.writeString(istio.resolve("reviews.yaml"), reviewsTo("v1"));
    Files.writeString(istio.resolve("README.md"), "# not: [yaml\n");
    Files.writeString(istio.resolve(".reviews.yaml.swp"), "garbage: [");
    Files.writeString(istio.resolve(".hidden.yaml"), reviewsTo("v3"));
    Files.createDirectory(istio.resolve("..2026_12_07_01_00_00.1"));
    Files.writeString(istio.resolve("..2026_12_07_01_00_00.1").resolve("reviews.yaml"), reviewsTo("v3"));
    try (Mesh mesh = watch(istio)) {
      allGoTo(mesh, "reviews-v1");
      assertThat(mesh.istioReport().toString()).doesNotContain("README").doesNotContain("hidden");
    }
  }

  @Test
  void aMultiDocumentFileWithOneBadDocumentIsRefusedWholeAndTheNextGoodVersionApplies() throws Exception {
    bookinfo();
    Path istio = Files.createDirectory(dir.resolve("istio"));
    Path file = Files.writeString(istio.resolve("all.yaml"), DESTINATION_RULES + "---\n" + reviewsTo("v1"));
    try (Mesh mesh = watch(istio)) {
      allGoTo(mesh, "reviews-v1");
      Files.writeString(file, DESTINATION_RULES + "---\n" + reviewsTo("v2") + "---\n" + reviewsTo("v9")
          .replace("name: reviews", "name: other").replace("hosts: [reviews]", "hosts: [ratings]"));
      await("the bad version refused", () -> reconfigurations("refused") == 1.0);
      allGoTo(mesh, "reviews-v1");
      Files.writeString(file, DESTINATION_RULES + "---\n" + reviewsTo("v3"));
      await("the good version applied", () -> reconfigurations("applied") == 1.0);
      allGoTo(mesh, "reviews-v3");
    }
  }

  /**
   * A truncating write ({@code > reviews.yaml}, or an editor saving in place) leaves the file empty for a moment: that
   * version was applied as a file of no resources, and the VirtualService's routes were gone (calls spread over v1,
   * v2 and v3) until the file was written. A file that was already empty (a placeholder) holds no change back.
   */
  @Test
  void aFileEmptiedByATruncatingWriteDoesNotDropItsRoutes() throws Exception {
    bookinfo();
    Path istio = Files.createDirectory(dir.resolve("istio"));
    Files.writeString(istio.resolve("placeholder.yaml"), "");
    Files.writeString(istio.resolve("rules.yaml"), DESTINATION_RULES);
    Path file = Files.writeString(istio.resolve("reviews.yaml"), reviewsTo("v1"));
    try (Mesh mesh = watch(istio)) {
      allGoTo(mesh, "reviews-v1");
      Files.writeString(file, ""); // the writer truncated it and has not written yet
      Thread.sleep(CHECK_EVERY.toMillis() * 5);
      allGoTo(mesh, "reviews-v1");
      assertThat(reconfigurations("applied")).isZero();
      Files.writeString(file, reviewsTo("v2"));
      await("the written version applied", () -> reconfigurations("applied") >= 1.0);
      allGoTo(mesh, "reviews-v2");
    }
  }

  private static String answer(Mesh mesh) {
    try {
      return body(mesh, "http://reviews/r");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Path meshYaml;
  private Path reviews;

  /** mesh.yaml (defaults.timeout 3s) and an Istio directory (reviews all to v1), both watched. */
  private Mesh watchMeshYamlAndIstio() throws IOException {
    bookinfo();
    meshYaml = Files.writeString(dir.resolve("mesh.yaml"), timeout("3s"));
    Path istio = Files.createDirectory(dir.resolve("istio"));
    Files.writeString(istio.resolve("rules.yaml"), DESTINATION_RULES);
    reviews = Files.writeString(istio.resolve("reviews.yaml"), reviewsTo("v1"));
    return Mesh.builder().watchConfigFile(meshYaml, Duration.ofMillis(200)).istioConfig(istio)
        .discovery("memory", discovery).meterRegistry(meters).istioOptions(IstioOptions.DEFAULT.withCheckEvery(CHECK_EVERY))
        .build();
  }

  private static String timeout(String value) {
    return "mesh: { defaults: { timeout: " + value + " } }\n";
  }

  /**
   * A mesh.yaml change re-read the Istio files from disk, unsettled: caught while an Istio file was emptied by a
   * truncating write, it applied that file as no resources, and the VirtualService's routes were gone.
   */
  @Test
  void aMeshYamlChangeWhileAnIstioFileIsEmptiedKeepsTheIstioRoutesInForce() throws Exception {
    try (Mesh mesh = watchMeshYamlAndIstio()) {
      Files.writeString(reviews, "");
      Files.writeString(meshYaml, timeout("4s"));
      await("the mesh.yaml change applied", () -> reconfigurations("applied") == 1.0);
      assertThat(mesh.config().defaults().timeout()).isEqualTo(Duration.ofSeconds(4));
      allGoTo(mesh, "reviews-v1");
      Files.writeString(reviews, reviewsTo("v2"));
      await("the Istio change applied", () -> reconfigurations("applied") == 2.0);
      allGoTo(mesh, "reviews-v2");
    }
  }

  /**
   * A refused Istio version on disk refused every mesh.yaml change too (each reload re-read it), and once the Istio
   * file was fixed the mesh.yaml change was never tried again: the mesh ran the old mesh.yaml for good though both
   * files on disk were valid. A mesh.yaml change is now composed with the Istio resources in force, and the refused
   * Istio version is tried again over it.
   */
  @Test
  void aRefusedIstioVersionDoesNotHoldBackAMeshYamlChangeAndBothEndUpInForce() throws Exception {
    try (Mesh mesh = watchMeshYamlAndIstio()) {
      Files.writeString(reviews, reviewsTo("v9"));
      await("the bad Istio version refused", () -> reconfigurations("refused") == 1.0);
      Files.writeString(meshYaml, timeout("4s"));
      await("the mesh.yaml change applied", () -> mesh.config().defaults().timeout().equals(Duration.ofSeconds(4)));
      allGoTo(mesh, "reviews-v1");
      Files.writeString(reviews, reviewsTo("v2"));
      await("the fixed Istio version applied", () -> answer(mesh).equals("200 reviews-v2"));
      allGoTo(mesh, "reviews-v2");
      assertThat(mesh.config().defaults().timeout()).isEqualTo(Duration.ofSeconds(4));
    }
  }

  /**
   * The other way round: a mesh.yaml version refused because it clashed with the Istio resources in force (routes for
   * a service a VirtualService covers) was never tried again once the Istio files changed to make room for it: the
   * mesh ran the old mesh.yaml for good. A refused mesh.yaml version is now tried again whenever the configuration in
   * force has changed since it was refused.
   */
  @Test
  void aMeshYamlVersionRefusedForClashingWithIstioAppliesOnceTheIstioFilesMakeRoomForIt() throws Exception {
    try (Mesh mesh = watchMeshYamlAndIstio()) {
      Files.writeString(meshYaml, """
          mesh:
            defaults: { timeout: 4s }
            services:
              reviews:
                subsets: { v2: { version: v2 } }
                routes:
                  - to: v2
          """);
      await("the clashing mesh.yaml refused", () -> reconfigurations("refused") == 1.0);
      allGoTo(mesh, "reviews-v1");
      Files.delete(reviews);
      await("the mesh.yaml version in force", () -> mesh.config().defaults().timeout().equals(Duration.ofSeconds(4)));
      allGoTo(mesh, "reviews-v2");
    }
  }

  @Test
  void theDirectoryDeletedKeepsTheResourcesInForceUntilItIsBackAndCloseEndsTheWatch() throws Exception {
    bookinfo();
    Path istio = Files.createDirectory(dir.resolve("istio"));
    Files.writeString(istio.resolve("rules.yaml"), DESTINATION_RULES);
    Files.writeString(istio.resolve("reviews.yaml"), reviewsTo("v1"));
    try (Mesh mesh = watch(istio)) {
      assertThat(istioWatchThreads()).isEqualTo(1);
      Files.delete(istio.resolve("rules.yaml"));
      Files.delete(istio.resolve("reviews.yaml"));
      Files.delete(istio);
      Thread.sleep(CHECK_EVERY.toMillis() * 5);
      allGoTo(mesh, "reviews-v1");
      Files.createDirectory(istio);
      Files.writeString(istio.resolve("rules.yaml"), DESTINATION_RULES);
      Files.writeString(istio.resolve("reviews.yaml"), reviewsTo("v2"));
      await("the directory that is back", () -> answer(mesh).equals("200 reviews-v2"));
      assertThat(reconfigurations("refused")).isZero();
    }
    assertThat(istioWatchThreads()).isZero();
  }

  private static long istioWatchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("mesh-istio-watch") && t.isAlive()).count();
  }
}
