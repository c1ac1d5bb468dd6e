package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A mesh that configures no circuit breaker does not load resilience4j's breaker classes (its registry, its
 * meters): most meshes configure none, and loading them is start-up time the application pays for nothing.
 */
@Timeout(30)
class MeshWithoutBreakersTest {

  @Test
  void aMeshWithoutBreakersLoadsNoBreakerClass() throws Exception {
    Recording loader = new Recording(getClass().getClassLoader());
    Runnable build = (Runnable) loader.loadClass(BuildAndClose.class.getName()).getDeclaredConstructor().newInstance();
    Thread thread = Thread.currentThread();
    ClassLoader context = thread.getContextClassLoader();
    thread.setContextClassLoader(loader); // the mesh's providers (ServiceLoader) from it too
    try {
      build.run();
    } finally {
      thread.setContextClassLoader(context);
    }
    assertThat(loader.requested).as("classes the mesh's own code asked for").contains(
        "io.github.resilience4j.ratelimiter.RateLimiterRegistry");
    assertThat(loader.requested).filteredOn(name -> name.contains("CircuitBreaker")).isEmpty();
  }

  /** Builds, with a meter registry, a mesh with a rate limit and retries but no breaker, and closes it. */
  public static final class BuildAndClose implements Runnable {
    @Override
    public void run() {
      Map<String, Object> reviews = Map.of("discovery", "memory", "rate-limit", Map.of("rate", "100/s"),
          "retry", Map.of("attempts", 2));
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("reviews", List.of(ServiceInstance.of("reviews", "127.0.0.1", 9)));
      try (Mesh mesh = Mesh.builder().config(MeshConfig.fromMap(Map.of("services", Map.of("reviews", reviews))))
          .discovery("memory", discovery).meterRegistry(new SimpleMeterRegistry()).build()) {
        assertThat(mesh.services()).contains("reviews");
      }
    }
  }

  /**
   * Defines the mesh's classes itself, from the same class files, so that every class their code refers to is
   * asked of it: it records those names, and leaves every other class to its parent.
   */
  private static final class Recording extends ClassLoader {
    final Set<String> requested = ConcurrentHashMap.newKeySet();

    Recording(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      requested.add(name);
      if (!name.startsWith("io.meshclient.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded != null) {
          return loaded;
        }
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
          if (in == null) {
            throw new ClassNotFoundException(name);
          }
          byte[] bytes = in.readAllBytes();
          return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
          throw new ClassNotFoundException(name, e);
        }
      }
    }
  }
}
