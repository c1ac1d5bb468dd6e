package io.meshclient.core.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A route's recent attempt latencies, as a lock-free log-linear histogram (four buckets per power of two,
 * 1 µs to about 2 minutes, so a percentile is within 19% of the true value), for a hedge delay given as a
 * percentile. Recording is two atomic increments; the percentile is recomputed every 256 samples and read
 * as one volatile field. Old samples fade: when the count reaches twice the window, every bucket is halved.
 */
public final class RouteLatency {
  private static final int MIN_EXPONENT = 10; // 2^10 ns, about 1 µs
  private static final int BUCKETS = (37 - MIN_EXPONENT) * 4;
  /**
   * The samples kept at least: counts are halved when they reach twice this, so a {@code min-samples} above it
   * would never be reached (the configuration key's range ends here).
   */
  public static final int WINDOW = 5_000;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong total = new AtomicLong();
  private final double percentile;
  private final int minSamples;
  private volatile long percentileNanos = -1;

  RouteLatency(double percentile, int minSamples) {
    this.percentile = percentile;
    this.minSamples = minSamples;
  }

  /** Records one attempt's latency. */
  public void record(long nanos) {
    counts.incrementAndGet(bucket(nanos));
    long n = total.incrementAndGet();
    if ((n & 255) == 0 || n == minSamples) {
      if (n >= 2 * WINDOW) {
        fade();
      }
      percentileNanos = n >= minSamples ? compute() : -1;
    }
  }

  /** The configured percentile of the recorded latencies, or -1 until {@code minSamples} were recorded. */
  public long percentileNanos() {
    return percentileNanos;
  }

  static int bucket(long nanos) {
    if (nanos < (1L << MIN_EXPONENT)) {
      return 0;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(nanos);
    int sub = (int) (nanos >>> (exponent - 2)) & 3;
    return Math.min(BUCKETS - 1, (exponent - MIN_EXPONENT) * 4 + sub);
  }

  /** The upper bound of a bucket, in nanoseconds. */
  static long upperBound(int bucket) {
    int exponent = bucket / 4 + MIN_EXPONENT;
    int sub = bucket % 4;
    return (1L << exponent) + ((long) (sub + 1) << (exponent - 2)) - 1;
  }

  private long compute() {
    long sum = 0;
    long[] snapshot = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      snapshot[i] = counts.get(i);
      sum += snapshot[i];
    }
    long rank = (long) Math.ceil(sum * percentile / 100.0);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += snapshot[i];
      if (seen >= rank && seen > 0) {
        return upperBound(i);
      }
    }
    return upperBound(BUCKETS - 1);
  }

  /** Halves every bucket and the total, so recent samples weigh more; racing records are kept. */
  private void fade() {
    long removed = 0;
    for (int i = 0; i < BUCKETS; i++) {
      long half = counts.get(i) / 2;
      counts.addAndGet(i, -half);
      removed += half;
    }
    total.addAndGet(-removed);
  }
}
