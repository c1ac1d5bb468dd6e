package io.meshclient.api;

/**
 * The service's circuit breaker is open (or half-open with all its probes taken), so the call was refused
 * before any byte left the process.
 */
public final class CircuitBreakerOpenException extends MeshException {
  private static final long serialVersionUID = 1L;

  public CircuitBreakerOpenException(String service, String state) {
    super(service, "circuit breaker of service '" + service + "' is " + state + "; call refused without I/O");
  }
}
