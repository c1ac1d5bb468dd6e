package io.meshclient.discovery.xds;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: {@code initial}, then times {@code multiplier} per failed attempt up to {@code max},
 * each drawn with +-20% jitter (gRPC's connection backoff; defaults 1 s, x1.6, 120 s).
 */
record Backoff(Duration initial, double multiplier, Duration max) {
  static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), 1.6, Duration.ofSeconds(120));

  /** The delay before reconnect attempt {@code attempt} (1 for the first retry after a failure). */
  long delayMillis(int attempt, RandomGenerator random) {
    double base = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
    double capped = Math.min(base, max.toMillis());
    return Math.max(1, Math.round(capped * (0.8 + 0.4 * random.nextDouble())));
  }
}
