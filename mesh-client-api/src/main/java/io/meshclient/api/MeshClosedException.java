package io.meshclient.api;

/**
 * A call made through a mesh that has been closed, or a call that was still in flight when its mesh
 * closed and was cancelled after the grace period. Nothing was sent for a call refused this way; a
 * cancelled call may have reached its server.
 */
public class MeshClosedException extends MeshException {
  private static final long serialVersionUID = 1L;

  /** A call to {@code host} refused (or cancelled) because the mesh is closed. */
  public MeshClosedException(String host, String message, Throwable cause) {
    super(host, message, cause);
  }
}
