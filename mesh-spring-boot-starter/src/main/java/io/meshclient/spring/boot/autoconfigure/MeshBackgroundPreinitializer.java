package io.meshclient.spring.boot.autoconfigure;

import okhttp3.OkHttpClient;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * Warms, on a background daemon thread while the application context is still being prepared, the
 * one-time JVM costs the mesh bean would otherwise pay on the main thread: loading OkHttp and Kotlin's
 * classes, the platform trust store OkHttp initialises eagerly (a few hundred milliseconds), and the
 * HTTP-interface proxy machinery behind {@code @MeshClient}. The same idea as Boot's own
 * {@code BackgroundPreinitializer}, and switched off by the same system property,
 * {@code spring.backgroundpreinitializer.ignore=true}, or by {@code mesh.enabled=false}. Failures
 * are ignored: the work is redone, for real, where it is needed.
 */
class MeshBackgroundPreinitializer implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {
  private static final String IGNORE = "spring.backgroundpreinitializer.ignore";

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    if (Boolean.getBoolean(IGNORE) || Runtime.getRuntime().availableProcessors() < 2
        || !event.getEnvironment().getProperty("mesh.enabled", Boolean.class, true)) {
      return;
    }
    Thread thread = new Thread(MeshBackgroundPreinitializer::warm, "mesh-background-preinit");
    thread.setDaemon(true);
    thread.start();
  }

  private static void warm() {
    try {
      new OkHttpClient();
      HttpServiceProxyFactory.builderFor(RestClientAdapter.create(RestClient.create())).build()
          .createClient(Warm.class);
    } catch (Throwable ignored) {
      // Only warming: whatever failed here is done again, and reported, where it is really needed.
    }
  }

  /** An HTTP interface never called, only proxied once. */
  interface Warm {
    @GetExchange("/")
    String get();
  }
}
