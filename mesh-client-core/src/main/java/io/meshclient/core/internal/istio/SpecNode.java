package io.meshclient.core.internal.istio;

import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One block of an Istio resource, read with its field path ({@code spec.http[0].route[1].destination}).
 * The block declares every field of Istio's schema it may hold ({@link #fields}); a field outside them
 * (a typo such as {@code subet}) is an error naming the path, with "did you mean". Values of the wrong
 * type are errors naming the path, the value and what was expected.
 */
final class SpecNode {
  /** Go's {@code time.ParseDuration} syntax, as Istio's durations are written: {@code 1.5s}, {@code 1h30m}. */
  private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h)");

  final IstioResource resource;
  final Loading loading;
  final String path;
  private final Map<String, Object> map;
  private final Set<String> known = new LinkedHashSet<>();

  SpecNode(IstioResource resource, Loading loading, String path, Map<String, Object> map) {
    this.resource = resource;
    this.loading = loading;
    this.path = path;
    this.map = map;
  }

  /** Declares the fields of Istio's schema for this block and reports any other field as an error. */
  SpecNode fields(String... names) {
    known.addAll(List.of(names));
    for (String present : map.keySet()) {
      if (!known.contains(present)) {
        loading.problem(resource, key(present), "unknown field", "a field of Istio's " + resource.kind() + " schema "
            + "here, one of " + known + SettingValues.didYouMean(present, known));
      }
    }
    return this;
  }

  String key(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  boolean has(String field) {
    return map.get(field) != null;
  }

  Object raw(String field) {
    return map.get(field);
  }

  /** Reports {@code field} as unsupported if it is set (and, for a boolean, true). */
  void unsupported(String field, String why) {
    Object value = map.get(field);
    if (value == null || "false".equals(value) || (value instanceof List<?> l && l.isEmpty())
        || (value instanceof Map<?, ?> m && m.isEmpty())) {
      return;
    }
    loading.unsupported(resource, key(field), why);
  }

  String string(String field) {
    Object value = map.get(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Map || value instanceof List) {
      loading.problem(resource, key(field), value instanceof Map ? "a block" : "a list", "a single value");
      return null;
    }
    return value.toString();
  }

  Integer integer(String field, long min, long max) {
    String text = string(field);
    if (text == null) {
      return null;
    }
    try {
      long value = Long.parseLong(text.trim());
      if (value >= min && value <= max) {
        return (int) value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    loading.problem(resource, key(field), text, "an integer from " + min + " to " + max);
    return null;
  }

  Double number(String field, double min, double max) {
    String text = string(field);
    if (text == null) {
      return null;
    }
    Double value = io.meshclient.api.spi.SettingValues.decimalNumber(text.trim());
    if (value != null && value >= min && value <= max) {
      return value;
    }
    loading.problem(resource, key(field), text, "a number from " + min + " to " + max);
    return null;
  }

  /** This block read as Istio's Percent, {@code value} from 0 to 100; 0 if the value is refused (reported). */
  double percentage() {
    fields("value");
    Double value = number("value", 0, 100);
    return value == null ? 0 : value;
  }

  Boolean bool(String field) {
    String text = string(field);
    if (text == null) {
      return null;
    }
    if (text.equals("true") || text.equals("false")) {
      return Boolean.valueOf(text);
    }
    loading.problem(resource, key(field), text, "true or false");
    return null;
  }

  /** A duration as Istio writes it ({@code 10s}, {@code 0.5s}, {@code 1h30m}, {@code 100ms}), at least {@code min}. */
  Duration duration(String field, Duration min) {
    String text = string(field);
    if (text == null) {
      return null;
    }
    Duration d = parseDuration(text.trim());
    if (d == null) {
      loading.problem(resource, key(field), text, "a duration such as 10s, 0.5s, 100ms or 1h30m");
      return null;
    }
    if (d.compareTo(min) < 0 || d.compareTo(io.meshclient.api.spi.Setting.MAX_DURATION) > 0) {
      loading.problem(resource, key(field), text, "a duration from " + SettingValues.formatDuration(min)
          + " to 596h");
      return null;
    }
    return d;
  }

  /** What a duration too long to count in nanoseconds reads as: longer than any range allows. */
  private static final Duration TOO_LONG = Duration.ofSeconds(Long.MAX_VALUE);

  static Duration parseDuration(String text) {
    if (text.isEmpty() || text.length() > 64) {
      return null;
    }
    Matcher m = DURATION_PART.matcher(text);
    int at = 0;
    Duration total = Duration.ZERO;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        return null;
      }
      java.math.BigDecimal amount = new java.math.BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1)
          : m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
      long nanosPerUnit = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      java.math.BigDecimal nanos = amount.multiply(java.math.BigDecimal.valueOf(nanosPerUnit));
      if (nanos.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
        return TOO_LONG; // well spelled: refused for its range, not as a spelling
      }
      total = total.plusNanos(nanos.longValue());
      at = m.end();
    }
    return total;
  }

  /** The block under {@code field}, or null if absent (an error if it is not a block). */
  SpecNode child(String field) {
    Object value = map.get(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map)) {
      loading.problem(resource, key(field), value instanceof List ? "a list" : value, "a block of fields");
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> child = (Map<String, Object>) value;
    return new SpecNode(resource, loading, key(field), child);
  }

  /** The blocks listed under {@code field}; empty if absent. */
  List<SpecNode> list(String field) {
    Object value = map.get(field);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> items)) {
      loading.problem(resource, key(field), value instanceof Map ? "a block" : value, "a list");
      return List.of();
    }
    List<SpecNode> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) instanceof Map<?, ?> item) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) item;
        out.add(new SpecNode(resource, loading, key(field) + "[" + i + "]", m));
      } else {
        loading.problem(resource, key(field) + "[" + i + "]", items.get(i), "a block of fields");
      }
    }
    return out;
  }

  /** The strings listed under {@code field}; empty if absent. */
  List<String> strings(String field) {
    Object value = map.get(field);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> items)) {
      loading.problem(resource, key(field), value instanceof Map ? "a block" : value, "a list of values");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        loading.problem(resource, key(field) + "[" + i + "]", item == null ? "null" : "a block or list",
            "a single value");
      } else {
        out.add(item.toString());
      }
    }
    return out;
  }

  /**
   * Name to value under {@code field}; empty if absent. A name written without a value is an error: left out, a
   * subset's label {@code version:} would select the instances of every version.
   */
  Map<String, String> stringMap(String field) {
    SpecNode child = child(field);
    Map<String, String> out = new LinkedHashMap<>();
    if (child != null) {
      for (String name : child.map.keySet()) {
        if (child.map.get(name) == null) {
          loading.problem(resource, child.key(name), "null", "a value ('' for an empty one)");
          continue;
        }
        String value = child.string(name);
        if (value != null) {
          out.put(name, value);
        }
      }
    }
    return out;
  }

  /** The names of the fields present. */
  Set<String> names() {
    return map.keySet();
  }
}
