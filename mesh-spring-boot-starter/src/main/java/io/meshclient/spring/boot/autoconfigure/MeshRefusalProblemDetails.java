package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.spring.boot.MeshRefusedException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * Answers a request whose handler let a {@link MeshRefusedException} escape with an RFC 9457 problem:
 * 429 Too Many Requests with {@code Retry-After} (the limiter's real wait, in seconds rounded up) for a
 * rate limit, 503 Service Unavailable for the other refusals (concurrency cap, open breaker, no healthy
 * instance), instead of a 500. Works in Spring MVC and WebFlux applications alike. At the lowest
 * precedence: an application's own {@code @ExceptionHandler} for the type, or for any of its supertypes,
 * wins. Switched off by {@code mesh.problem-details.enabled=false}.
 *
 * <p>The problem goes to the application's own callers, outside the mesh: its {@code detail} is a fixed
 * text per kind of refusal ({@code service 'reviews' unavailable: circuit open}), never the refusal's
 * message, which holds what only the operator should see (instance addresses, subset labels, limits,
 * breaker states, what the discovery said). That message is logged instead, at INFO without a stack trace
 * (a refusal is expected, not a bug), one line per service and kind of refusal each 10 s at most (under load a
 * refusal comes with every request; the line says how many were not logged), and every one with its stack trace
 * when DEBUG is on.
 */
@ControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class MeshRefusalProblemDetails {
  private static final System.Logger LOG = System.getLogger(MeshRefusalProblemDetails.class.getName());
  /** At most one INFO line per service and kind of refusal in this time: under load, a refusal comes per request. */
  static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  private final ConcurrentMap<String, LogWindow> logged = new ConcurrentHashMap<>();

  /** The problem for {@code refused}: status, title, a fixed detail for its kind, and the service. */
  @ExceptionHandler(MeshRefusedException.class)
  public ResponseEntity<ProblemDetail> refused(MeshRefusedException refused) {
    HttpHeaders headers = new HttpHeaders();
    HttpStatus status = HttpStatus.SERVICE_UNAVAILABLE;
    if (refused instanceof MeshRefusedException.RateLimitExceeded limited) {
      status = HttpStatus.TOO_MANY_REQUESTS;
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(limited.retryAfterSeconds()));
    }
    log(refused, "mesh refused a call, answered " + status.value() + ": " + refused.getMessage());
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail(refused));
    problem.setProperty("service", refused.service());
    return ResponseEntity.status(status).headers(headers).body(problem);
  }

  /**
   * With DEBUG on, every refusal with its stack trace; else one INFO line per service and kind each {@link
   * #LOG_EVERY_NANOS}, saying how many were not logged since the last one (the meters count them all).
   */
  private void log(MeshRefusedException refused, String text) {
    if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(System.Logger.Level.DEBUG, text, refused);
      return;
    }
    long unlogged = logged.computeIfAbsent(refused.service() + "/" + refused.getClass().getSimpleName(),
        k -> new LogWindow()).admit(System.nanoTime());
    if (unlogged >= 0) {
      LOG.log(System.Logger.Level.INFO, unlogged == 0 ? text
          : text + " (" + unlogged + " more refusals of this kind since the last line, not logged)");
    }
  }

  /** Admits one line per {@link #LOG_EVERY_NANOS}, counting those it does not admit. */
  private static final class LogWindow {
    private long lastNanos;
    private boolean started;
    private long unlogged;

    /** The refusals not logged since the last line admitted, if this one is; else -1. */
    synchronized long admit(long nowNanos) {
      if (started && nowNanos - lastNanos < LOG_EVERY_NANOS) {
        unlogged++;
        return -1;
      }
      started = true;
      lastNanos = nowNanos;
      long out = unlogged;
      unlogged = 0;
      return out;
    }
  }

  /** The detail shown to the application's callers: the service and the kind of refusal, nothing else. */
  static String detail(MeshRefusedException refused) {
    String why = refused instanceof MeshRefusedException.RateLimitExceeded ? "rate limit exceeded"
        : refused instanceof MeshRefusedException.ConcurrencyLimitExceeded ? "too many requests in flight"
        : refused instanceof MeshRefusedException.CircuitBreakerOpen ? "circuit open"
        : "no healthy instance";
    return "service '" + refused.service() + "' unavailable: " + why;
  }
}
