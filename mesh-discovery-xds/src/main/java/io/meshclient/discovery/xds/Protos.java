package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshclient.api.spi.Setting;
import io.meshclient.api.spi.SettingValues;
import java.time.Duration;

/** Conversions from protobuf's well-known types. */
final class Protos {
  private Protos() {}

  /** The bound of protobuf's Duration: 10,000 years, in seconds. */
  private static final long MAX_SECONDS = 315_576_000_000L;

  /**
   * A duration field of {@code where}, at least 0 and within protobuf's range, as Envoy's DurationUtil takes
   * them: a negative one, or one the Duration type cannot hold (a hostile int64 that would overflow), is invalid,
   * naming the field.
   */
  static Duration duration(String where, String field, com.google.protobuf.Duration d) {
    if (d.getSeconds() < 0 || d.getSeconds() > MAX_SECONDS || d.getNanos() < 0 || d.getNanos() > 999_999_999) {
      throw new XdsInvalidException(where, field, "{seconds: " + d.getSeconds() + ", nanos: " + d.getNanos() + "}",
          "a duration from 0s to 10000 years");
    }
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /** {@link #duration(String, String, com.google.protobuf.Duration)}, which must lie within [min, max]. */
  static Duration duration(String where, String field, com.google.protobuf.Duration d, Duration min, Duration max) {
    Duration value = duration(where, field, d);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new XdsInvalidException(where, field, SettingValues.formatDuration(value), "between "
          + Setting.formatBound(min.toNanos()) + " and " + Setting.formatBound(max.toNanos()));
    }
    return value;
  }

  /** A fractional percent as a percentage, 0..100. */
  static double percent(FractionalPercent p) {
    double denominator = switch (p.getDenominator()) {
      case TEN_THOUSAND -> 10_000;
      case MILLION -> 1_000_000;
      default -> 100;
    };
    return Math.min(100, Integer.toUnsignedLong(p.getNumerator()) * 100.0 / denominator); // a uint32
  }
}
