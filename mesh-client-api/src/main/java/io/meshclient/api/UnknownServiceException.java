package io.meshclient.api;

/**
 * A call to a host name that looks like a service (a single label, such as {@code reviewz}) but is not
 * one the mesh knows, refused before any I/O rather than handed to DNS, where it could resolve and
 * bypass the mesh. The message suggests the closest known service.
 */
public class UnknownServiceException extends MeshException {
  private static final long serialVersionUID = 1L;

  /** A call to {@code host} refused with {@code message}. */
  public UnknownServiceException(String host, String message) {
    super(host, message);
  }
}
