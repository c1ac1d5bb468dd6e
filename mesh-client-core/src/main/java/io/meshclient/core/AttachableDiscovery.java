package io.meshclient.core;

/**
 * A discovery that also supplies configuration, as an xDS control plane supplies routes and clusters,
 * and must know whether the mesh accepted it (xDS NACKs a refused version; {@link
 * io.meshclient.api.spi.ConfigSource}'s listener reports no refusal back to its source).
 * When a {@link Mesh} is built, each discovery it uses that implements this interface is attached to
 * it, once, on the building thread and before {@link Mesh.Builder#build()} returns. The source applies
 * what it receives with {@link Mesh#reload}: the configuration is validated whole, and a refused one
 * leaves the one in force serving (an xDS source NACKs it). Discoveries a later {@link
 * Mesh#reconfigure} creates are not attached.
 */
public interface AttachableDiscovery {
  /**
   * Starts applying configuration to {@code mesh}; may apply the first one before returning. Must stop
   * when the discovery is closed.
   */
  void attach(Mesh mesh);
}
