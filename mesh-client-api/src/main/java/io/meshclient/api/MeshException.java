package io.meshclient.api;

import java.io.IOException;

/**
 * The root of every exception the mesh raises on the request path.
 *
 * <p>It extends {@link IOException} so that OkHttp reports it to asynchronous callers through {@code
 * Callback.onFailure} and synchronous callers can handle it with their existing I/O error handling.
 */
public class MeshException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String service;

  /** An exception about {@code service} with a message. */
  public MeshException(String service, String message) {
    super(message);
    this.service = service;
  }

  /** An exception about {@code service} with a message and a cause. */
  public MeshException(String service, String message, Throwable cause) {
    super(message, cause);
    this.service = service;
  }

  /** The logical service the failed request was addressed to. */
  public String service() {
    return service;
  }
}
