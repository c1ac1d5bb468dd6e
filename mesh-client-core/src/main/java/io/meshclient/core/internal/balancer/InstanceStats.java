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
   * Whether this instance's score is lower than {@code other}'s ({@link #load} of both at one instant after
   * both stamps) with one {@code exp} and no clock read: from the later stamp on both costs decay by the same
   * factor, so only the difference of the stamps counts. An unmeasured instance scores as in {@link #load};
   * against it a measured one is compared undecayed, which decides the same unless its cost is near the
   * penalty.
   */
  boolean lighterThan(InstanceStats other, double penaltyNanos, double decayNanos) {
    double cost = costNanos;
    long stamp = stampNanos;
    int pending = inFlight.get();
    double otherCost = other.costNanos;
    long otherStamp = other.stampNanos;
    int otherPending = other.inFlight.get();
    if (cost == 0 || otherCost == 0) {
      double mine = cost == 0 ? pending == 0 ? 0 : penaltyNanos + pending : cost * (pending + 1);
      double theirs = otherCost == 0 ? otherPending == 0 ? 0 : penaltyNanos + otherPending
          : otherCost * (otherPending + 1);
      return mine < theirs;
    }
    // exp overflows to infinity (never lighter) or underflows to 0 (lighter): the right answers there too
    return cost * (pending + 1) * Math.exp((stamp - otherStamp) / decayNanos) < otherCost * (otherPending + 1);
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
