package io.meshclient.core.config;

import java.time.Duration;

/**
 * Hedged (backup) requests for a route: when no response has arrived {@code after} the first attempt
 * was sent, send the same request to another instance, at most {@code maxExtra} times; the first complete
 * response wins and the others are cancelled. Only idempotent methods with a body that can be sent twice
 * are hedged, and every hedge is taken from the same budget as retries.
 *
 * @param after a fixed delay, or null when the delay is a percentile of the route's latency
 * @param percentile the percentile (50 to 99.9) of the route's recent attempt latency used as the delay,
 *     or 0 with a fixed delay
 * @param fallback the delay used until the route has {@code minSamples} latencies recorded
 * @param maxExtra hedges sent at most per attempt, 1 to 3
 * @param minSamples latencies needed before the percentile is used
 */
public record HedgeConfig(Duration after, double percentile, Duration fallback, int maxExtra, int minSamples) {
  /** Defaults of the optional parts. */
  public static final Duration DEFAULT_FALLBACK = Duration.ofMillis(MeshKeys.HEDGE_FALLBACK.defaultDuration().toMillis());

  /** Hedges once after a fixed delay. */
  public static HedgeConfig after(Duration delay) {
    return new HedgeConfig(delay, 0, DEFAULT_FALLBACK, 1, MeshKeys.HEDGE_MIN_SAMPLES.defaultInt());
  }

  /** Hedges once after the route's {@code percentile} latency, {@code fallback} until enough samples. */
  public static HedgeConfig atPercentile(double percentile, Duration fallback) {
    return new HedgeConfig(null, percentile, fallback, 1, MeshKeys.HEDGE_MIN_SAMPLES.defaultInt());
  }

  /** A copy that sends at most {@code extra} hedges. */
  public HedgeConfig withMaxExtra(int extra) {
    return new HedgeConfig(after, percentile, fallback, extra, minSamples);
  }

  /** {@code 50ms} or {@code p95}, as configured. */
  public String afterText() {
    return after != null ? io.meshclient.api.spi.SettingValues.formatDuration(after)
        : "p" + (percentile == Math.rint(percentile) ? String.valueOf((long) percentile) : String.valueOf(percentile));
  }
}
