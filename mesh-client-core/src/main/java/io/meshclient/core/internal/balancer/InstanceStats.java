package io.meshclient.core.internal.balancer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What stateful balancers know about one instance: requests in flight and a peak-sensitive EWMA of its
 * latency (Finagle's peak EWMA): a sample above the average replaces it at once, samples below it pull
 * it down with weight {@code 1 - exp(-elapsed / decay)}.
 */
final class InstanceStats {
  final AtomicInteger inFlight = new AtomicInteger();
  private volatile double costNanos;
  private long stampNanos;

  /** Folds in one latency sample taken at {@code now}. */
  synchronized void observe(long latencyNanos, long now, double decayNanos) {
    double cost = costNanos;
    if (latencyNanos > cost) {
      costNanos = latencyNanos;
    } else {
      double elapsed = Math.max(0, now - stampNanos);
      double w = Math.exp(-elapsed / decayNanos);
      costNanos = cost * w + latencyNanos * (1 - w);
    }
    stampNanos = now;
  }

  /** The load score: average latency times (in flight + 1); an unmeasured busy instance scores high. */
  double load(double penaltyNanos) {
    double cost = costNanos;
    int pending = inFlight.get();
    if (cost == 0 && pending != 0) {
      return penaltyNanos + pending;
    }
    return cost * (pending + 1);
  }
}
