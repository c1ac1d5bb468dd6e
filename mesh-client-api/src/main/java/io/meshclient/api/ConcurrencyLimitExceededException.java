package io.meshclient.api;

/**
 * The service already had its maximum number of requests in flight, so this one was refused before any
 * byte left the process (Envoy's {@code max_requests}).
 */
public final class ConcurrencyLimitExceededException extends MeshException {
  private static final long serialVersionUID = 1L;

  private final int limit;

  public ConcurrencyLimitExceededException(String service, int limit) {
    super(service, "service '" + service + "' already has " + limit
        + " requests in flight (max-concurrent-requests: " + limit + ")");
    this.limit = limit;
  }

  /** The configured maximum. */
  public int limit() {
    return limit;
  }
}
