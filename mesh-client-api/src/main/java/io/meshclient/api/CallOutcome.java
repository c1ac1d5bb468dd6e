package io.meshclient.api;

/** How one attempt against one instance ended, as reported to balancers and listeners. */
public enum CallOutcome {
  /** A response arrived with a status below 500. */
  SUCCESS,
  /** A response arrived with a 5xx status. */
  SERVER_ERROR,
  /** No connection could be made. */
  CONNECT_FAILURE,
  /** The connection failed after it was made, before a complete response arrived. */
  IO_ERROR,
  /** The attempt ran past its timeout. */
  TIMEOUT,
  /** The caller cancelled the call. */
  CANCELLED,
  /** The mesh refused the call before sending it: an open circuit breaker, or no healthy instance. */
  REFUSED;

  /**
   * Whether the instance should be held responsible for this outcome (everything but success, cancel and
   * a refusal, which reached no instance).
   */
  public boolean isFailure() {
    return this != SUCCESS && this != CANCELLED && this != REFUSED;
  }
}
