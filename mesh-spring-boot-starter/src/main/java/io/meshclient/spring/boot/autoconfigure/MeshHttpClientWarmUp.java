package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Builds the mesh's OkHttpClient (loading OkHttp's and Kotlin's classes, about 100 ms of CPU on a cold
 * JVM) on a background daemon thread once the application is ready, instead of during start-up, so the
 * first call through the mesh normally finds it built. A call that comes first builds it itself (the
 * other waits); nothing is lost either way. Skipped when there is no single mesh or the context is
 * closing; a failure is logged (and happens again, reported, on the first call).
 */
final class MeshHttpClientWarmUp implements ApplicationListener<ApplicationReadyEvent> {
  private static final System.Logger LOG = System.getLogger(MeshHttpClientWarmUp.class.getName());
  private final ObjectProvider<Mesh> mesh;

  MeshHttpClientWarmUp(ObjectProvider<Mesh> mesh) {
    this.mesh = mesh;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    if (!event.getApplicationContext().isActive()) {
      return;
    }
    Mesh m;
    try {
      m = mesh.getIfUnique(); // several meshes, or none: nothing to warm
    } catch (RuntimeException e) {
      return;
    }
    if (m == null) {
      return;
    }
    Thread thread = new Thread(() -> {
      try {
        m.httpClient();
      } catch (RuntimeException e) {
        // The first call through the mesh builds it again and fails with the same error.
        LOG.log(System.Logger.Level.WARNING, "building the mesh's HTTP client failed: " + e);
      }
    }, "mesh-http-client-warm-up");
    thread.setDaemon(true);
    thread.start();
  }
}
