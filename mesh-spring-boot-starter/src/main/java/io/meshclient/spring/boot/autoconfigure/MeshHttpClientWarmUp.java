package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Builds the mesh's OkHttpClient (loading OkHttp's and Kotlin's classes, about 100 ms of CPU on a cold
 * JVM) on a background daemon thread once the application is ready, instead of during start-up, so the
 * first call through the mesh normally finds it built. A call that comes first builds it itself (the
 * other waits); nothing is lost either way. Skipped when the mesh was never created or the context is
 * closing.
 */
final class MeshHttpClientWarmUp implements ApplicationListener<ApplicationReadyEvent> {
  private final ObjectProvider<Mesh> mesh;

  MeshHttpClientWarmUp(ObjectProvider<Mesh> mesh) {
    this.mesh = mesh;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    if (!event.getApplicationContext().isActive()) {
      return;
    }
    Mesh m = mesh.getIfAvailable();
    if (m == null) {
      return;
    }
    Thread thread = new Thread(() -> {
      try {
        m.httpClient();
      } catch (RuntimeException ignored) {
        // The first call builds it again and reports what went wrong.
      }
    }, "mesh-http-client-warm-up");
    thread.setDaemon(true);
    thread.start();
  }
}
