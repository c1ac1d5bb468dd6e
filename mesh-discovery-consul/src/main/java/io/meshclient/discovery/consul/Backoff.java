package io.meshclient.discovery.consul;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "equal jitter": the n-th consecutive failure waits a random time between half
 * and all of {@code min(max, initial * 2^(n-1))}. The random half spreads the retries of many clients
 * after a shared outage; the fixed half keeps the retry rate bounded. Not thread-safe: one per watch.
 */
final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private final DoubleSupplier random;
  private int failures;

  /**
   * @param random values in [0, 1)
   */
  Backoff(Duration initial, Duration max, DoubleSupplier random) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** The delay before the next attempt, after one more failure. */
  Duration next() {
    long ceiling = initialNanos;
    for (int i = 0; i < failures && ceiling < maxNanos; i++) {
      ceiling *= 2;
    }
    ceiling = Math.min(ceiling, maxNanos);
    failures++;
    long half = ceiling / 2;
    return Duration.ofNanos(ceiling - half + (long) (random.getAsDouble() * half));
  }

  /** How many failures in a row this backoff has seen. */
  int failures() {
    return failures;
  }

  /** Starts over after a success. */
  void reset() {
    failures = 0;
  }
}
