package io.meshclient.api;

/**
 * A rate limit refused the request before any byte left the process. Retrying immediately will likely
 * be refused again.
 */
public final class RateLimitExceededException extends MeshException {
  private static final long serialVersionUID = 1L;

  private final String limiter;

  /**
   * @param limiter the name of the limit that refused, such as {@code reviews} or {@code reviews/route-0}
   */
  public RateLimitExceededException(String service, String limiter) {
    super(service, "rate limit '" + limiter + "' of service '" + service + "' exceeded");
    this.limiter = limiter;
  }

  /** The name of the limit that refused the request. */
  public String limiter() {
    return limiter;
  }
}
