package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;

/**
 * Adjusts the {@link Mesh.Builder} of the auto-configured mesh before it is built, for settings that
 * are not properties: a base OkHttpClient, a ticker, a random source, a discovery instance. Customizers
 * run in {@link org.springframework.core.annotation.Order} after the starter has set the configuration,
 * meter registry and listeners.
 */
@FunctionalInterface
public interface MeshBuilderCustomizer {

  /** Changes {@code builder} in place. */
  void customize(Mesh.Builder builder);
}
