package io.meshclient.spring.boot;

import io.meshclient.api.CircuitBreakerOpenException;
import io.meshclient.api.ConcurrencyLimitExceededException;
import io.meshclient.api.MeshException;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.RateLimitExceededException;
import java.time.Duration;

/**
 * The mesh refused a call before any byte was sent, as Spring's HTTP clients report it: {@code
 * RestClient}, {@code RestTemplate}, {@code WebClient}, {@code @MeshClient} interfaces and HTTP service
 * groups routed through the mesh throw one of the four subtypes, each carrying the mesh's own exception
 * (an {@link java.io.IOException}) as its cause. Unchecked and not a {@code ResourceAccessException}, so
 * that retry-on-I/O-error policies do not retry it and a caller can catch it by type. In a web
 * application an unhandled one becomes a 429 (rate limit, with {@code Retry-After}) or a 503 (the others)
 * ProblemDetail, unless {@code mesh.problem-details.enabled=false}.
 */
public abstract sealed class MeshRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private MeshRefusedException(MeshException cause) {
    super(cause.getMessage(), cause);
  }

  /** The service the call was addressed to. */
  public String service() {
    return getCause().service();
  }

  @Override
  public MeshException getCause() {
    return (MeshException) super.getCause();
  }

  /**
   * The Spring-facing refusal for {@code failure} or the first of its causes that is a refusal by the
   * mesh; null if there is none (a failure that is not a refusal is left as the client reports it).
   */
  public static MeshRefusedException of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof MeshRefusedException refused) {
        return refused;
      }
      if (t instanceof RateLimitExceededException e) {
        return new RateLimitExceeded(e);
      }
      if (t instanceof ConcurrencyLimitExceededException e) {
        return new ConcurrencyLimitExceeded(e);
      }
      if (t instanceof CircuitBreakerOpenException e) {
        return new CircuitBreakerOpen(e);
      }
      if (t instanceof NoHealthyInstanceException e) {
        return new NoHealthyInstance(e);
      }
    }
    return null;
  }

  /** A rate limit refused the call; {@link #retryAfter()} says when a permit is next free. */
  public static final class RateLimitExceeded extends MeshRefusedException {
    private static final long serialVersionUID = 1L;

    RateLimitExceeded(RateLimitExceededException cause) {
      super(cause);
    }

    /** The limiter's wait for its next permit, as the refusal computed it. */
    public Duration retryAfter() {
      return getCause().retryAfter();
    }

    /** The {@code Retry-After} value: {@link #retryAfter()} in seconds, rounded up, at least 1. */
    public long retryAfterSeconds() {
      return getCause().retryAfterSeconds();
    }

    @Override
    public RateLimitExceededException getCause() {
      return (RateLimitExceededException) super.getCause();
    }
  }

  /** The service's {@code max-concurrent-requests} were all in flight. */
  public static final class ConcurrencyLimitExceeded extends MeshRefusedException {
    private static final long serialVersionUID = 1L;

    ConcurrencyLimitExceeded(ConcurrencyLimitExceededException cause) {
      super(cause);
    }
  }

  /** The service's circuit breaker is open (or its half-open probes are taken). */
  public static final class CircuitBreakerOpen extends MeshRefusedException {
    private static final long serialVersionUID = 1L;

    CircuitBreakerOpen(CircuitBreakerOpenException cause) {
      super(cause);
    }
  }

  /** The route's subset has no instance that is not ejected (or none at all). */
  public static final class NoHealthyInstance extends MeshRefusedException {
    private static final long serialVersionUID = 1L;

    NoHealthyInstance(NoHealthyInstanceException cause) {
      super(cause);
    }
  }
}
