package io.meshclient.api;

/**
 * The service, or the subset the call was routed to when it has a cap of its own, already had its maximum
 * number of requests in flight, so this one was refused before any byte left the process (Envoy's {@code
 * max_requests}, per cluster).
 */
public final class ConcurrencyLimitExceededException extends MeshException {
  private static final long serialVersionUID = 1L;

  private final int limit;
  private final String subset;

  /** The service's own cap ({@code max-concurrent-requests}) was reached. */
  public ConcurrencyLimitExceededException(String service, int limit) {
    super(service, "service '" + service + "' already has " + limit
        + " requests in flight (max-concurrent-requests: " + limit + ")");
    this.limit = limit;
    this.subset = null;
  }

  /**
   * The cap of {@code subset} ({@code subset-policies.<subset>.max-concurrent-requests}), which counts only
   * the calls routed to that subset, was reached.
   */
  public ConcurrencyLimitExceededException(String service, String subset, int limit) {
    super(service, "subset '" + subset + "' of service '" + service + "' already has " + limit
        + " requests in flight (subset-policies." + subset + ".max-concurrent-requests: " + limit + ")");
    this.limit = limit;
    this.subset = subset;
  }

  /** The configured maximum. */
  public int limit() {
    return limit;
  }

  /** The subset whose own cap was reached, or null when it was the service's. */
  public String subset() {
    return subset;
  }
}
