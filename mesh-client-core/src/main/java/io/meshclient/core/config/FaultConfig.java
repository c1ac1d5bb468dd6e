package io.meshclient.core.config;

import java.time.Duration;

/**
 * Faults injected into a route's requests, in-process, to test how callers cope (Istio's {@code fault}).
 * A delayed request waits before it is sent; an aborted one is answered with {@code abortStatus} without
 * being sent.
 *
 * @param delayPercent share of requests delayed, 0..100
 * @param delay how long they are delayed, or null when {@code delayPercent} is 0
 * @param abortPercent share of requests aborted, 0..100
 * @param abortStatus the status of an aborted request's response, 200..599
 * @param header when not null, only requests carrying this header are subject to faults
 */
public record FaultConfig(double delayPercent, Duration delay, double abortPercent, int abortStatus, String header) {

  /** Aborts {@code percent} of requests with {@code status}. */
  public static FaultConfig abort(double percent, int status) {
    return new FaultConfig(0, null, percent, status, null);
  }

  /** Delays {@code percent} of requests by {@code delay}. */
  public static FaultConfig delay(double percent, Duration delay) {
    return new FaultConfig(percent, delay, 0, 0, null);
  }

  /** A copy that applies only to requests carrying {@code headerName}. */
  public FaultConfig onlyWithHeader(String headerName) {
    return new FaultConfig(delayPercent, delay, abortPercent, abortStatus, headerName);
  }
}
