package io.meshclient.core.internal.balancer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What stateful balancers know about one instance: requests in flight and a peak-sensitive EWMA of its
 * latency (Finagle's and Linkerd's peak EWMA). The cost decays towards zero with the time since the last
 * sample, {@code cost * exp(-elapsed / decay)}, and is read decayed; a sample above the decayed cost
 * replaces it at once, a sample below it pulls it down with weight {@code 1 - exp(-elapsed / decay)}.
 */
final class InstanceStats {
  final AtomicInteger inFlight = new AtomicInteger();
  private volatile double costNanos;
  private volatile long stampNanos;

  /** Folds in one latency sample taken at {@code now}. */
  synchronized void observe(long latencyNanos, long now, double decayNanos) {
    double w = Math.exp(-Math.max(0, now - stampNanos) / decayNanos);
    double cost = costNanos * w;
    stampNanos = now;
    // Written after the stamp, read before it: a pick that sees the new cost sees its stamp too (one that
    // reads the old cost with the new stamp takes it undecayed, once: no lock on the pick path).
    costNanos = latencyNanos > cost ? latencyNanos : cost * w + latencyNanos * (1 - w);
  }

  /**
   * The load score at {@code now}: the decayed cost times (in flight + 1); an unmeasured busy instance
   * scores {@code penaltyNanos} and more.
   */
  double load(double penaltyNanos, long now, double decayNanos) {
    double cost = costNanos;
    int pending = inFlight.get();
    if (cost == 0) {
      return pending == 0 ? 0 : penaltyNanos + pending;
    }
    return cost * Math.exp(-Math.max(0, now - stampNanos) / decayNanos) * (pending + 1);
  }
}
