package io.meshclient.core;

/**
 * A discovery that also supplies configuration, as an xDS control plane supplies routes and clusters,
 * and must know whether the mesh accepted it (xDS NACKs a refused version).
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

  /**
   * Stops applying configuration to {@code mesh}, which is closing: called once by {@link Mesh#close()}, on the
   * closing thread, for each discovery {@link #attach attached} to it. The discovery itself stays open (the
   * application that supplied it closes it); what it receives from now on is not applied to {@code mesh}, and is
   * not refused for its sake (an xDS source does not NACK it). The default does nothing.
   */
  default void detach(Mesh mesh) {}
}
