package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.config.validate.Validated;
import io.micrometer.core.instrument.simple.CountingMode;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Pays, on a background daemon thread while the application context is still being prepared, the
 * one-time JVM costs the {@code mesh} bean would otherwise pay on the main thread: loading and linking
 * the classes of the mesh, resilience4j and the Micrometer binding, and running that code once. It does
 * so by building, and closing, a throwaway mesh of one in-memory service that uses the common features
 * (subsets, a header route, a weighted split, a rate limit, retries, meters), so nothing
 * touches the network. The mesh's OkHttpClient is not part of it: {@link MeshHttpClientWarmUp} builds the
 * real one once the application is ready. The same idea as Boot's own {@code BackgroundPreinitializer},
 * and switched off by the same system property, {@code spring.backgroundpreinitializer.ignore=true}, or
 * by {@code mesh.enabled=false}.
 *
 * <p>The {@code mesh} bean {@linkplain #awaitWarmUp() waits} for the warm-up before it builds the real
 * mesh, so the two threads never initialise the mesh's classes at once. Failures are ignored: the work
 * is done again, for real, where it is needed, and reported there.
 */
class MeshBackgroundPreinitializer implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {
  private static final String IGNORE = "spring.backgroundpreinitializer.ignore";
  /** Longest the mesh bean waits for an unfinished warm-up (it then builds the mesh regardless). */
  private static final long MAX_WAIT_MILLIS = 10_000;
  private static final Object LOCK = new Object();
  private static Thread warming;

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    if (Boolean.getBoolean(IGNORE) || Runtime.getRuntime().availableProcessors() < 2
        || !enabled(event)) {
      return;
    }
    synchronized (LOCK) {
      if (warming != null) {
        return; // once per class loader: a second context (tests, a bootstrap context) finds it warm
      }
      warming = new Thread(MeshBackgroundPreinitializer::warm, "mesh-background-preinit");
      warming.setDaemon(true);
      warming.start();
    }
  }

  /** Whether the mesh is on; a bad value is reported by the auto-configuration's condition, not here. */
  private static boolean enabled(ApplicationEnvironmentPreparedEvent event) {
    try {
      return MeshSwitch.enabled(event.getEnvironment(), "mesh.enabled", true);
    } catch (io.meshclient.api.ConfigurationException e) {
      return false;
    }
  }

  /**
   * Waits, at most {@value #MAX_WAIT_MILLIS} ms, for a warm-up still running; returns at once when none
   * was started or it is over.
   */
  static void awaitWarmUp() {
    Thread thread;
    synchronized (LOCK) {
      thread = warming;
    }
    if (thread == null || !thread.isAlive()) {
      return;
    }
    try {
      TimeUnit.MILLISECONDS.timedJoin(thread, MAX_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SimpleConfig.DEFAULT's settings, given rather than read: its step and mode read and validate absent
   * properties with Micrometer's property validators, classes the application (whose registry Boot configures)
   * never loads. The throwaway registry should load only what the real mesh uses.
   */
  private static final SimpleConfig WARM_METERS = new SimpleConfig() {
    @Override
    public String get(String key) {
      return null;
    }

    @Override
    public Duration step() {
      return Duration.ofMinutes(1);
    }

    @Override
    public CountingMode mode() {
      return CountingMode.CUMULATIVE;
    }

    @Override
    public Validated<?> validate() {
      return Validated.none();
    }
  };

  private static void warm() {
    // Built and closed; its client, and OkHttp with it, is built after start-up by MeshHttpClientWarmUp.
    try (Mesh warm = Mesh.builder().config(MeshConfig.fromMap(warmConfig()))
        .meterRegistry(new SimpleMeterRegistry(WARM_METERS, Clock.SYSTEM)).build()) {
      // nothing to do with it: building it loaded and ran what the real one needs
    } catch (Throwable ignored) {
      // Only warming: whatever failed here is done again, and reported, where it is really needed.
    }
  }

  /** One static service with two versions and the features most meshes configure. */
  private static Map<String, Object> warmConfig() {
    Map<String, Object> instances = Map.of("services", Map.of("warm", List.of(
        Map.of("url", "http://127.0.0.1:9", "metadata", Map.of("version", "v1")),
        Map.of("url", "http://127.0.0.1:10", "metadata", Map.of("version", "v2")))));
    Map<String, Object> service = Map.of(
        "subsets", Map.of("v1", Map.of("version", "v1"), "v2", Map.of("version", "v2")),
        "rate-limit", Map.of("rate", "100/s"),
        "retry", Map.of("attempts", 2),
        "routes", List.of(
            Map.of("match", Map.of("path", Map.of("prefix", "/a"), "headers", Map.of("end-user", Map.of("exact", "x"))),
                "to", "v2"),
            Map.of("split", Map.of("v1", 80, "v2", 20))));
    return Map.of("discovery", Map.of("static", instances), "services", Map.of("warm", service));
  }
}
