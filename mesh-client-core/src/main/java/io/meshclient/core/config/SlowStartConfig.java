package io.meshclient.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Slow start (Envoy's {@code slow_start_config}): an instance that is new or returning takes a share that
 * ramps over {@code window} as {@code weight × max(minWeightPercent / 100, (t / window)^(1 / aggression))}.
 * "New" is first seen after the balancer's first instance list (the instances present at start-up are
 * warm); "returning" is back in the list after it left it: ejected by outlier detection, or gone from
 * discovery (not ready) and back. Applies to round-robin, weighted round-robin and least-request.
 *
 * @param window how long the ramp lasts, 1ms to 1h (key {@code window}; Istio's {@code warmupDurationSecs})
 * @param aggression the curve's exponent, above 0 up to 10; 1 ramps linearly, higher starts slower (key
 *     {@code aggression}, default 1)
 * @param minWeightPercent the least share of its weight a warming instance gets, 0 to 100 (key {@code
 *     min-weight-percent}, default 10)
 */
public record SlowStartConfig(Duration window, double aggression, double minWeightPercent) {
  /** Envoy's default aggression. */
  public static final double DEFAULT_AGGRESSION = 1.0;
  /** Envoy's default minimum weight percent. */
  public static final double DEFAULT_MIN_WEIGHT_PERCENT = 10;

  public SlowStartConfig {
    Objects.requireNonNull(window, "window");
  }

  /** A linear ramp over {@code window} with the default minimum of 10%. */
  public static SlowStartConfig of(Duration window) {
    return new SlowStartConfig(window, DEFAULT_AGGRESSION, DEFAULT_MIN_WEIGHT_PERCENT);
  }

  /** The share of its weight an instance that started warming {@code elapsedNanos} ago gets, 0 to 1. */
  public double factor(long elapsedNanos) {
    long w = window.toNanos();
    if (elapsedNanos >= w) {
      return 1.0;
    }
    double t = Math.max(0, elapsedNanos) / (double) w;
    double ramp = aggression == 1.0 ? t : Math.pow(t, 1.0 / aggression);
    return Math.max(minWeightPercent / 100.0, ramp);
  }
}
