package io.meshclient.api.spi;

import java.util.Map;

/**
 * A source that pushes mesh configuration, not instances: an Istio YAML directory, an xDS control plane,
 * Kubernetes resources. It hands over whole raw trees (maps, lists, scalars under {@code mesh}, as from
 * YAML), which the mesh reads and validates with its one schema before applying; a refused tree changes
 * nothing. Implementations are listed in {@code META-INF/services/io.meshclient.api.spi.ConfigSource$Provider}.
 */
public interface ConfigSource extends AutoCloseable {

  /** Starts delivering; {@code listener} gets the current tree first, then each change. */
  void watch(Listener listener);

  /** Stops delivering and releases what the source holds. */
  @Override
  void close();

  /** Receives a source's configuration. Called from the source's own thread, one call at a time. */
  interface Listener {
    /** A whole new configuration tree, keyed as under {@code mesh}. */
    void onConfiguration(Map<String, Object> tree);

    /** The source cannot deliver (unreachable, unreadable); the last tree stays applied. */
    void onError(String problem);
  }

  /** Creates a source of one kind from its settings, found by {@link #name()}. */
  interface Provider {
    /** The stable name, such as {@code istio} or {@code xds}. */
    String name();

    /** The settings the source reads, declared once (see {@link Setting}). */
    Setting settings();

    /**
     * Validates the settings and creates a source; the caller closes it.
     *
     * @throws io.meshclient.api.ConfigurationException naming the full key of every invalid setting
     */
    ConfigSource create(String configKey, Map<String, Object> settings);
  }
}
