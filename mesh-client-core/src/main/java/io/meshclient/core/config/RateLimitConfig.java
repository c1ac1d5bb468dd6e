package io.meshclient.core.config;

import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.Objects;

/**
 * A token bucket: up to {@code burst} requests at once, refilled at {@code permits} per {@code per}, and
 * a caller waits at most {@code maxWait} for a token before being refused. In any window of length
 * {@code t} the bucket admits at most {@code burst + rate * t} requests.
 *
 * @param permits tokens added per {@code per}, more than 0 (the {@code 200} of {@code rate: 200/s})
 * @param per the refill period, positive (the {@code s} of {@code rate: 200/s})
 * @param burst the bucket's capacity, more than 0
 * @param maxWait how long a caller may wait for a token; {@link Duration#ZERO} refuses at once
 */
public record RateLimitConfig(long permits, Duration per, int burst, Duration maxWait) {
  public RateLimitConfig {
    Objects.requireNonNull(per, "per");
    Objects.requireNonNull(maxWait, "maxWait");
  }

  /** {@code permits} per second, {@code burst} and no waiting. */
  public static RateLimitConfig perSecond(long permits, int burst) {
    return new RateLimitConfig(permits, Duration.ofSeconds(1), burst, Duration.ZERO);
  }

  /** Nanoseconds between two tokens. */
  public long emissionIntervalNanos() {
    return Math.max(1, per.toNanos() / Math.max(1, permits));
  }

  /** The rate as written in configuration, such as {@code 200/s}. */
  public String rateText() {
    String unit = SettingValues.formatDuration(per);
    return permits + "/" + (unit.matches("1[a-z]+") ? unit.substring(1) : unit);
  }
}
