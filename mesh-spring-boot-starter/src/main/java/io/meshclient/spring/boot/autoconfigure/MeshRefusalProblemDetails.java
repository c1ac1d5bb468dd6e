package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.spring.boot.MeshRefusedException;
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
 */
@ControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class MeshRefusalProblemDetails {

  /** The problem for {@code refused}: status, title, the refusal's message as detail and the service. */
  @ExceptionHandler(MeshRefusedException.class)
  public ResponseEntity<ProblemDetail> refused(MeshRefusedException refused) {
    HttpHeaders headers = new HttpHeaders();
    HttpStatus status = HttpStatus.SERVICE_UNAVAILABLE;
    if (refused instanceof MeshRefusedException.RateLimitExceeded limited) {
      status = HttpStatus.TOO_MANY_REQUESTS;
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(limited.retryAfterSeconds()));
    }
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, refused.getMessage());
    problem.setProperty("service", refused.service());
    return ResponseEntity.status(status).headers(headers).body(problem);
  }
}
