package io.meshclient.api;

import java.time.Duration;
import java.util.Objects;

/**
 * A rate limit refused the request before any byte left the process. Retrying immediately will likely
 * be refused again: {@link #retryAfter()} says when a permit is next free.
 */
public final class RateLimitExceededException extends MeshException {
  private static final long serialVersionUID = 1L;

  private final String limiter;
  private final Duration retryAfter;

  /**
   * A refusal whose next free permit is unknown ({@link #retryAfter()} is zero).
   *
   * @param limiter the name of the limit that refused, such as {@code reviews} or {@code reviews/route-0}
   */
  public RateLimitExceededException(String service, String limiter) {
    this(service, limiter, Duration.ZERO);
  }

  /**
   * @param limiter the name of the limit that refused, such as {@code reviews} or {@code reviews/route-0}
   * @param retryAfter how long until the limit would admit one request, as the limiter computed it
   *     when it refused; zero or more
   */
  public RateLimitExceededException(String service, String limiter, Duration retryAfter) {
    super(service, "rate limit '" + limiter + "' of service '" + service + "' exceeded");
    this.limiter = limiter;
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter: " + retryAfter + " (expected: >= 0)");
    }
  }

  /** The name of the limit that refused the request. */
  public String limiter() {
    return limiter;
  }

  /**
   * How long after the refusal the limit would admit one request (the bucket's real wait, not a
   * guess); zero when unknown. Other callers may take that permit first.
   */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** {@link #retryAfter()} in whole seconds, rounded up, at least 1: an HTTP {@code Retry-After} value. */
  public long retryAfterSeconds() {
    long seconds = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }
}
