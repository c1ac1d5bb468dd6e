package io.meshclient.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A circuit breaker per service (resilience4j's count-based breaker). It opens when, over the last
 * {@code slidingWindow} calls (once at least {@code minimumCalls} were made), the failure rate or the
 * slow-call rate reaches its threshold; stays open for {@code openFor}, refusing calls without I/O; then
 * lets exactly {@code halfOpenProbes} calls through to decide whether to close.
 *
 * @param failureRateThreshold percent of failed calls (5xx, connect failures, resets, timeouts) that opens it, 1..100
 * @param slowCallRateThreshold percent of calls slower than {@code slowCallDuration} that opens it, 1..100
 * @param slowCallDuration a call at least this long counts as slow
 * @param slidingWindow how many recent calls are counted, at least 1
 * @param minimumCalls calls needed before rates are computed, at least 1
 * @param openFor how long it stays open before probing
 * @param halfOpenProbes calls let through while half-open, at least 1
 */
public record BreakerConfig(
    int failureRateThreshold,
    int slowCallRateThreshold,
    Duration slowCallDuration,
    int slidingWindow,
    int minimumCalls,
    Duration openFor,
    int halfOpenProbes) {

  /** 50% failures or 100% slow (>= 5s) over 100 calls (at least 20), open for 10s, 3 probes. */
  public static final BreakerConfig DEFAULT =
      new BreakerConfig(MeshKeys.FAILURE_RATE.defaultInt(), MeshKeys.SLOW_RATE.defaultInt(),
          MeshKeys.SLOW_DURATION.defaultDuration(), MeshKeys.SLIDING_WINDOW.defaultInt(),
          MeshKeys.MINIMUM_CALLS.defaultInt(), MeshKeys.OPEN_FOR.defaultDuration(), MeshKeys.HALF_OPEN.defaultInt());

  public BreakerConfig {
    Objects.requireNonNull(slowCallDuration, "slowCallDuration");
    Objects.requireNonNull(openFor, "openFor");
  }

  public BreakerConfig withOpenFor(Duration duration) {
    return new BreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, slidingWindow,
        minimumCalls, duration, halfOpenProbes);
  }

  public BreakerConfig withHalfOpenProbes(int probes) {
    return new BreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, slidingWindow,
        minimumCalls, openFor, probes);
  }

  public BreakerConfig withWindow(int window, int minimum) {
    return new BreakerConfig(failureRateThreshold, slowCallRateThreshold, slowCallDuration, window, minimum,
        openFor, halfOpenProbes);
  }
}
