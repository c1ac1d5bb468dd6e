package io.meshclient.discovery.consul;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/** The duration syntax of configuration ({@code 300ms}, {@code 2s}, {@code 5m}, {@code 1h}, ISO-8601). */
final class Durations {
  static final String EXPECTED = "a duration such as 300ms, 2s, 5m";

  private Durations() {}

  /** The duration {@code text} names, or null if it names none. */
  static Duration parse(String text) {
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
    if (unitStart == 0 || unitStart > 12) {
      return null;
    }
    long amount = Long.parseLong(s.substring(0, unitStart));
    switch (s.substring(unitStart)) {
      case "ms":
        return Duration.ofMillis(amount);
      case "s":
        return Duration.ofSeconds(amount);
      case "m":
        return Duration.ofMinutes(amount);
      case "h":
        return Duration.ofHours(amount);
      default:
        return null;
    }
  }

  /** The shortest exact form in the same syntax: {@code 55s}, {@code 250ms}, {@code 10m}. */
  static String format(Duration d) {
    if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
      return d.toString();
    }
    long millis = d.toMillis();
    if (millis != 0 && millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis != 0 && millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis != 0 && millis % 1_000 == 0) {
      return millis / 1_000 + "s";
    }
    return millis + "ms";
  }
}
