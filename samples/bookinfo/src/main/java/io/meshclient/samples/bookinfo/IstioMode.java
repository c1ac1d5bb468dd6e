package io.meshclient.samples.bookinfo;

import io.meshclient.api.ConfigurationException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Bookinfo with its routes read from Istio's own YAML in a directory ({@code -Dbookinfo.istio=<dir>}):
 * productpage and reviews v1/v2/v3 read every file in it, as each sidecar reads the mesh's whole
 * configuration, and follow changes. Users load pages until the launcher is stopped (or for {@code
 * -Dbookinfo.seconds}). The launcher prints the Istio load report at start-up and after each change of the
 * files (or why the change was refused: the services then keep the configuration in force), and every
 * {@value #WINDOW_SECONDS} seconds what the services counted.
 */
final class IstioMode {
  static final int WINDOW_SECONDS = 5;
  private static final Duration POLL = Duration.ofMillis(250);
  /** How long the services may take to apply a version the launcher has read before it says so. */
  private static final Duration APPLY_WARNING = Duration.ofSeconds(10);

  private IstioMode() {}

  /**
   * Where the Istio files are and how often the services' meshes check them.
   *
   * @param directory an existing directory of Istio YAML files
   * @param checkEvery the meshes' check period ({@code mesh.istio.check-every})
   */
  record Settings(Path directory, Duration checkEvery) {
    Settings {
      Objects.requireNonNull(directory, "directory");
      Objects.requireNonNull(checkEvery, "checkEvery");
    }
  }

  /**
   * Runs the Istio mode until the JVM is stopped or for {@code seconds}.
   *
   * @param directory the value of {@code bookinfo.istio}
   * @param seconds the value of {@code bookinfo.seconds}: blank to run until stopped
   * @return the exit status: 0, or 2 for bad input (printed to {@code out} without a stack trace)
   */
  static int run(String directory, String seconds, PrintStream out) throws IOException, InterruptedException {
    Path dir = Path.of(directory).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      out.printf("bookinfo.istio: %s (expected: an existing directory holding the Istio YAML files; for example%n"
          + "  mkdir -p %s && cp samples/bookinfo/istio/destination-rule-all.yaml samples/bookinfo/istio/"
          + "virtual-service-all-v1.yaml %s/)%n", directory, dir, dir);
      return 2;
    }
    long runFor;
    try {
      runFor = seconds.isBlank() ? Long.MAX_VALUE : Long.parseLong(seconds.trim());
      if (runFor <= 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      out.printf("bookinfo.seconds: %s (expected: a whole number of seconds > 0, or nothing to run until stopped)%n",
          seconds);
      return 2;
    }
    IstioFiles files = new IstioFiles(dir);
    Map<String, byte[]> seen = files.read();
    IstioFiles.Version version;
    try {
      version = files.check();
    } catch (ConfigurationException e) {
      out.printf("The Istio files in %s are refused, Bookinfo not started:%n  %s%n", dir, e.getMessage());
      return 2;
    }
    out.printf("Istio files in %s (productpage and reviews v1/v2/v3 read them; checked every second):%n%s",
        dir, version.render());
    long start = System.nanoTime();
    try (Bookinfo bookinfo = Bookinfo.start(new Settings(dir, Duration.ofSeconds(1)));
        SteadyTraffic traffic = new SteadyTraffic(bookinfo.port("productpage")).start()) {
      out.printf("Bookinfo started in %d ms: productpage at http://127.0.0.1:%d/productpage; users load pages"
          + " (two anonymous, one as end-user jason).%nChange the files in %s to switch routes"
          + " (samples/bookinfo/README.md); Ctrl-C stops.%n%n", (System.nanoTime() - start) / 1_000_000,
          bookinfo.port("productpage"), dir);
      watch(bookinfo, files, seen, version, runFor, out);
    }
    return 0;
  }

  /** Follows the files and prints, until {@code runFor} seconds have passed. */
  private static void watch(Bookinfo bookinfo, IstioFiles files, Map<String, byte[]> seen,
      IstioFiles.Version inForce, long runFor, PrintStream out) throws InterruptedException {
    long end = runFor == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + runFor * 1_000_000_000L;
    long nextWindow = System.nanoTime() + WINDOW_SECONDS * 1_000_000_000L;
    TrafficSummary before = TrafficSummary.collect(bookinfo, null);
    IstioFiles.Version pending = null;
    long changedAt = 0;
    boolean warned = false;
    while (System.nanoTime() < end) {
      Thread.sleep(POLL.toMillis());
      Map<String, byte[]> now = files.read();
      if (!IstioFiles.same(now, seen)) {
        Thread.sleep(100);
        if (!IstioFiles.same(now, files.read())) {
          continue; // still being written
        }
        seen = now;
        try {
          pending = files.check();
          changedAt = System.nanoTime();
          warned = false;
          out.printf("%nIstio files changed:%n%s", pending.render());
        } catch (ConfigurationException e) {
          out.printf("%nIstio files changed but refused; the services keep the configuration in force:%n  %s%n%n",
              e.getMessage());
        }
      }
      if (pending != null) {
        long waited = (System.nanoTime() - changedAt) / 1_000_000;
        if (IstioFiles.appliedBy(bookinfo, pending)) {
          out.printf("Applied by productpage and reviews v1/v2/v3 within %d ms of the launcher reading it.%n%n", waited);
          inForce = pending;
          pending = null;
        } else if (!warned && waited > APPLY_WARNING.toMillis()) {
          out.printf("Not applied by every service after %d ms (each one's /actuator/mesh shows its Istio report).%n", waited);
          warned = true;
        }
      }
      if (System.nanoTime() >= nextWindow) {
        TrafficSummary after = TrafficSummary.collect(bookinfo, null);
        out.print(new TrafficWindow(before, after).render(WINDOW_SECONDS, "reviews: "
            + IstioFiles.describe(inForce.routes().get("reviews")) + "; ratings: "
            + IstioFiles.describe(inForce.routes().get("ratings"))));
        before = after;
        nextWindow += WINDOW_SECONDS * 1_000_000_000L;
      }
    }
  }

  /** Waits until every service that reads the files routes as {@code version}; whether it happened in time. */
  static boolean awaitApplied(Bookinfo bookinfo, IstioFiles.Version version, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!IstioFiles.appliedBy(bookinfo, version)) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }
}
