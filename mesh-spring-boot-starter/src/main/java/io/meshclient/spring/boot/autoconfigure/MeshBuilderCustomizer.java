package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;

/**
 * Adjusts the {@link Mesh.Builder} of the auto-configured mesh before it is built, for settings that
 * are not properties: a base OkHttpClient, a ticker, a random source, a discovery instance. Customizers
 * run in {@link org.springframework.core.annotation.Order} after the starter has set the configuration,
 * meter registry and listeners. Contribute listeners as {@link io.meshclient.core.MeshListener} beans
 * rather than with {@code builder.listener(...)}, which would replace the starter's. The decision log's
 * interceptor is added with {@code builder.addInterceptor(...)}, so it stays when a customizer sets a
 * base client.
 */
@FunctionalInterface
public interface MeshBuilderCustomizer {

  /** Changes {@code builder} in place. */
  void customize(Mesh.Builder builder);
}
