package io.meshclient.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Parses and formats the duration syntax of configuration: {@code 300ms}, {@code 2s}, {@code 1m}, ISO-8601. */
public final class Durations {
  /** What a duration looks like, for error messages. */
  public static final String EXPECTED = "a duration such as 300ms, 2s, 5m, 1h or PT2S";

  private Durations() {}

  /** The duration, or null if {@code text} is not one. */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      return null;
    }
    if (s.charAt(0) == 'P' || s.charAt(0) == 'p') {
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    int unitStart = 0;
    while (unitStart < s.length() && Character.isDigit(s.charAt(unitStart))) {
      unitStart++;
    }
    if (unitStart == 0 || unitStart > 15) {
      return null;
    }
    long amount = Long.parseLong(s.substring(0, unitStart));
    switch (s.substring(unitStart).trim()) {
      case "ns": return Duration.ofNanos(amount);
      case "us": return Duration.ofNanos(amount * 1000);
      case "ms": return Duration.ofMillis(amount);
      case "s": return Duration.ofSeconds(amount);
      case "m": return Duration.ofMinutes(amount);
      case "h": return Duration.ofHours(amount);
      case "d": return Duration.ofDays(amount);
      default: return null;
    }
  }

  /** The shortest exact form: {@code 1s}, {@code 250ms}, {@code 2m}. */
  public static String format(Duration d) {
    long nanos = d.toNanos();
    if (nanos % 3_600_000_000_000L == 0 && nanos != 0) {
      return nanos / 3_600_000_000_000L == 1 ? "h" : nanos / 3_600_000_000_000L + "h";
    }
    if (nanos % 60_000_000_000L == 0 && nanos != 0) {
      return nanos / 60_000_000_000L == 1 ? "m" : nanos / 60_000_000_000L + "m";
    }
    if (nanos % 1_000_000_000L == 0 && nanos != 0) {
      return nanos / 1_000_000_000L == 1 ? "s" : nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    return nanos + "ns";
  }
}
