package io.meshclient.api;

/**
 * An attempt failed after the request may have reached the server, and the mesh did not send it again
 * because that could apply it twice (a POST, say, on a route that did not opt in to such retries). The
 * cause is the I/O error of the attempt.
 */
public final class RequestNotRetriedException extends MeshException {
  private static final long serialVersionUID = 1L;

  public RequestNotRetriedException(String service, String message, Throwable cause) {
    super(service, message, cause);
  }
}
