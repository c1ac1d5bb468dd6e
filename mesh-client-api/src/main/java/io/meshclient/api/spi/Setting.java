package io.meshclient.api.spi;

import static io.meshclient.api.ConfigurationException.problem;
import static io.meshclient.api.ConfigurationException.secretProblem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One configuration key, declared once: its name, type, default, range, secret flag and a one-line doc
 * (compare Stork's declared load-balancer attributes). The readers read values through it, the
 * validators check ranges with it, and the IDE metadata and the README reference are generated from the
 * declarations, so a key cannot be documented one way and read another.
 *
 * <p>A block ({@link #block}) holds the settings below it; {@link #map} is a block per free name (such as
 * {@code services.<service>}), {@link #list} a list of blocks ({@code routes[i]}) and {@link #labels} a
 * block of free names to plain values ({@code subsets.<subset>.<label>}).
 */
public final class Setting {
  /** The longest duration any setting accepts: 2^31-1 ms (24.8 days), OkHttp's limit for timeouts. */
  public static final Duration MAX_DURATION = Duration.ofMillis(Integer.MAX_VALUE);

  /** What a setting holds. */
  public enum Type { TEXT, BOOLEAN, INTEGER, DECIMAL, PERCENT, DURATION, TEXT_LIST, LABELS, BLOCK, MAP, LIST }

  private final String name;
  private final Type type;
  private final String defaultValue;
  private final long min;
  private final long max;
  private final double minDecimal;
  private final double maxDecimal;
  private final String doc;
  private final String expected;
  private final boolean secret;
  private final String placeholder;
  private final Map<String, Setting> children;

  private Setting(String name, Type type, String defaultValue, long min, long max, double minDecimal,
      double maxDecimal, String doc, String expected, boolean secret, String placeholder,
      Map<String, Setting> children) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = type;
    this.defaultValue = defaultValue;
    this.min = min;
    this.max = max;
    this.minDecimal = minDecimal;
    this.maxDecimal = maxDecimal;
    this.doc = Objects.requireNonNull(doc, "doc");
    this.expected = expected;
    this.secret = secret;
    this.placeholder = placeholder;
    this.children = children;
  }

  private static Setting scalar(String name, Type type, String def, long min, long max, String doc) {
    return new Setting(name, type, def, min, max, 0, 0, doc, null, false, null, Map.of());
  }

  /** A text value; {@code def} is the default as documented, or null for none. */
  public static Setting text(String name, String def, String doc) {
    return scalar(name, Type.TEXT, def, 0, 0, doc);
  }

  /** {@code true} or {@code false}. */
  public static Setting bool(String name, boolean def, String doc) {
    return scalar(name, Type.BOOLEAN, Boolean.toString(def), 0, 1, doc);
  }

  /** A whole number from {@code min} to {@code max}. */
  public static Setting integer(String name, String def, long min, long max, String doc) {
    return scalar(name, Type.INTEGER, def, min, max, doc);
  }

  /**
   * A finite number such as {@code 1.6}, from {@code min} to {@code max} ({@link #minDecimal()}, {@link
   * #maxDecimal()}); {@code def} is the default as documented, or null for none.
   */
  public static Setting decimal(String name, String def, double min, double max, String doc) {
    if (!(Double.isFinite(min) && Double.isFinite(max) && min <= max)) {
      throw new IllegalArgumentException(name + ": range " + min + " to " + max + " (expected: finite, min <= max)");
    }
    return new Setting(name, Type.DECIMAL, def, 0, 0, min, max, doc, null, false, null, Map.of());
  }

  /** A whole percentage, written {@code 50%} or {@code 50}, from {@code min} to {@code max}. */
  public static Setting percent(String name, String def, long min, long max, String doc) {
    return scalar(name, Type.PERCENT, def, min, max, doc);
  }

  /** A duration ({@code 300ms}, {@code 2s}, {@code PT2S}) from {@code min} to {@code max}. */
  public static Setting duration(String name, String def, Duration min, Duration max, String doc) {
    if (max.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(name + ": max " + max + " (expected: at most " + MAX_DURATION + ")");
    }
    return scalar(name, Type.DURATION, def, min.toNanos(), max.toNanos(), doc);
  }

  /** A list of text values; one value is a list of one. */
  public static Setting textList(String name, String def, String doc) {
    return scalar(name, Type.TEXT_LIST, def, 0, 0, doc);
  }

  /** A block of free names ({@code placeholder}, such as {@code <label>}) to text values. */
  public static Setting labels(String name, String placeholder, String doc) {
    return new Setting(name, Type.LABELS, null, 0, 0, 0, 0, doc, null, false, placeholder, Map.of());
  }

  /** A block of settings. */
  public static Setting block(String name, String doc, Setting... children) {
    return new Setting(name, Type.BLOCK, null, 0, 0, 0, 0, doc, null, false, null, index(children));
  }

  /** Free names ({@code placeholder}, such as {@code <service>}), each holding a block of settings. */
  public static Setting map(String name, String placeholder, String doc, Setting... children) {
    return new Setting(name, Type.MAP, null, 0, 0, 0, 0, doc, null, false, placeholder, index(children));
  }

  /** A list of blocks of settings, keyed {@code name[i]}. */
  public static Setting list(String name, String doc, Setting... children) {
    return new Setting(name, Type.LIST, null, 0, 0, 0, 0, doc, null, false, "[i]", index(children));
  }

  private static Map<String, Setting> index(Setting... children) {
    Map<String, Setting> out = new LinkedHashMap<>();
    for (Setting child : children) {
      if (out.put(child.name, child) != null) {
        throw new IllegalArgumentException(child.name + ": declared twice");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** This setting, whose value is never shown: in messages, {@code toString()} or logs. */
  public Setting secret() {
    return new Setting(name, type, defaultValue, min, max, minDecimal, maxDecimal, doc, expected, true, placeholder,
        children);
  }

  /** This setting, with its own words for what an out-of-range value should have been. */
  public Setting expecting(String expectation) {
    return new Setting(name, type, defaultValue, min, max, minDecimal, maxDecimal, doc, expectation, secret,
        placeholder, children);
  }

  /** This setting with more settings below it (a block that may also be written as one value). */
  public Setting with(Setting... more) {
    List<Setting> all = new ArrayList<>(children.values());
    all.addAll(List.of(more));
    return new Setting(name, type, defaultValue, min, max, minDecimal, maxDecimal, doc, expected, secret, placeholder,
        index(all.toArray(Setting[]::new)));
  }

  public String name() {
    return name;
  }

  public Type type() {
    return type;
  }

  /** The default as documented ({@code 10s}, {@code 50%}), or null when there is none. */
  public String defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  public boolean isSecret() {
    return secret;
  }

  /** {@code <service>} for a map, {@code [i]} for a list, {@code <label>} for labels, else null. */
  public String placeholder() {
    return placeholder;
  }

  /** The settings below this one, by name, in declaration order. */
  public Map<String, Setting> children() {
    return children;
  }

  /** The names of the settings below this one. */
  public Set<String> names() {
    return children.keySet();
  }

  /** The child {@code name}; fails when it is not declared (a reader asking for an undeclared key). */
  public Setting child(String childName) {
    Setting child = children.get(childName);
    if (child == null) {
      throw new IllegalArgumentException(name + "." + childName + ": not declared");
    }
    return child;
  }

  /** The least value of a whole number or percentage, in nanoseconds for a duration; 0 for other types. */
  public long min() {
    return min;
  }

  /** The greatest value of a whole number or percentage, in nanoseconds for a duration; 0 for other types. */
  public long max() {
    return max;
  }

  /** The least value of a {@link Type#DECIMAL}; 0 for other types. */
  public double minDecimal() {
    return minDecimal;
  }

  /** The greatest value of a {@link Type#DECIMAL}; 0 for other types. */
  public double maxDecimal() {
    return maxDecimal;
  }

  /** The default as a number; fails when the setting has no numeric default. */
  public double defaultDecimal() {
    return Double.parseDouble(defaultValue);
  }

  /** The default as a whole number; fails when the setting has no numeric default. */
  public int defaultInt() {
    return Integer.parseInt(defaultValue.endsWith("%") ? defaultValue.substring(0, defaultValue.length() - 1)
        : defaultValue);
  }

  /** The default as a duration; fails when the setting has no duration default. */
  public Duration defaultDuration() {
    return Objects.requireNonNull(SettingValues.parseDuration(defaultValue), name);
  }

  /** The default of a list as declared, {@code [a, b]} or one value, as a list; fails without a default. */
  public List<String> defaultList() {
    String list = Objects.requireNonNull(defaultValue, name).strip();
    String items = list.startsWith("[") && list.endsWith("]") ? list.substring(1, list.length() - 1).strip() : list;
    return items.isEmpty() ? List.of() : List.of(items.split("\\s*,\\s*"));
  }

  /** What a valid value looks like, for messages and the reference. */
  public String expected() {
    if (expected != null) {
      return expected;
    }
    return switch (type) {
      case INTEGER -> max == Long.MAX_VALUE ? ">= " + min : min + ".." + max;
      case DECIMAL -> "a number from " + SettingValues.formatDecimal(minDecimal) + " to " + SettingValues.formatDecimal(maxDecimal);
      case PERCENT -> "a percentage from " + min + "% to " + max + "%";
      case DURATION -> "between " + formatBound(min) + " and " + formatBound(max);
      case BOOLEAN -> "true or false";
      default -> "a value";
    };
  }

  /**
   * Reads {@code raw} (from YAML, JSON or Spring properties) as this setting's type and checks its range;
   * returns an {@code Integer} ({@code INTEGER}, {@code PERCENT}), {@code Double} ({@code DECIMAL}), {@code
   * Duration}, {@code Boolean} or {@code String}, or null after adding a problem naming {@code fullKey}.
   * Never throws on a value.
   */
  public Object read(String fullKey, Object raw, List<String> problems) {
    Object value = parse(fullKey, raw, problems);
    if (value instanceof Integer i) {
      return check(fullKey, i, problems) ? value : null;
    }
    if (value instanceof Double d) {
      return check(fullKey, d, problems) ? value : null;
    }
    if (value instanceof Duration d) {
      return check(fullKey, d, problems) ? value : null;
    }
    return value;
  }

  /**
   * As {@link #read}, without the range check (left to a validator that also sees values built in code):
   * only a value that cannot be held at all (a number beyond 32 bits, a duration beyond {@code Duration})
   * is refused here, with the range it should have been in, never wrapped around.
   */
  public Object parse(String fullKey, Object raw, List<String> problems) {
    switch (type) {
      case INTEGER, PERCENT -> {
        String text = raw.toString().trim();
        boolean percentSign = type == Type.PERCENT && text.endsWith("%");
        Object number = percentSign ? text.substring(0, text.length() - 1).trim() : raw;
        Long value = SettingValues.wholeNumber(number);
        if (value != null && value == (int) (long) value) {
          return (int) (long) value;
        }
        boolean digits = number.toString().trim().matches("[+-]?[0-9]+");
        report(fullKey, raw, digits ? withMax(Long.toString(max))
            : type == Type.PERCENT ? "a whole percentage such as 50%" : "a whole number", problems);
        return null;
      }
      case DECIMAL -> {
        Double value = SettingValues.decimalNumber(raw);
        if (value == null) {
          report(fullKey, raw, expected(), problems);
        }
        return value;
      }
      case DURATION -> {
        Duration d = raw instanceof Duration given ? given : SettingValues.parseDuration(raw.toString());
        if (d == null) {
          boolean overflow = raw.toString().trim().matches("[0-9]+(ns|us|ms|s|m|h|d)");
          report(fullKey, raw, overflow ? expected() : SettingValues.durationExpected(raw), problems);
        }
        return d;
      }
      case BOOLEAN -> {
        String text = raw.toString().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(text);
        }
        report(fullKey, raw, "true or false", problems);
        return null;
      }
      default -> {
        if (raw instanceof Map || raw instanceof List) {
          report(fullKey, "a nested block", "a single value", problems);
          return null;
        }
        return raw.toString();
      }
    }
  }

  /** Whether {@code value} is in range; if not, adds a problem naming {@code fullKey}. */
  public boolean check(String fullKey, long value, List<String> problems) {
    if (value < min || value > max) {
      report(fullKey, value, value > max ? withMax(Long.toString(max)) : expected(), problems);
      return false;
    }
    return true;
  }

  /** Whether the decimal {@code value} is in range; if not, adds a problem naming {@code fullKey}. */
  public boolean check(String fullKey, double value, List<String> problems) {
    if (!(value >= minDecimal && value <= maxDecimal)) { // NaN too
      report(fullKey, Double.isFinite(value) ? SettingValues.formatDecimal(value) : Double.toString(value), expected(), problems);
      return false;
    }
    return true;
  }

  /** Whether {@code value} is in range; if not, adds a problem naming {@code fullKey}. */
  public boolean check(String fullKey, Duration value, List<String> problems) {
    if (value.compareTo(Duration.ofNanos(min)) < 0 || value.compareTo(Duration.ofNanos(max)) > 0) {
      report(fullKey, value.isNegative() ? value.toString() : SettingValues.formatDuration(value),
          expected(), problems);
      return false;
    }
    return true;
  }

  /** A duration bound as documented: {@link #MAX_DURATION} is {@code 596h}, OkHttp's limit. */
  public static String formatBound(long nanos) {
    return nanos == MAX_DURATION.toNanos() ? "596h" : SettingValues.formatDuration(Duration.ofNanos(nanos));
  }

  /** The expectation, naming the maximum when its own words do not. */
  private String withMax(String maxText) {
    String e = expected();
    return e.contains(maxText) ? e : e + ", at most " + maxText;
  }

  private void report(String fullKey, Object value, String expectation, List<String> problems) {
    problems.add(secret ? secretProblem(fullKey, expectation) : problem(fullKey, value, expectation));
  }

  @Override
  public String toString() {
    return name + " (" + type + (defaultValue != null ? ", default " + defaultValue : "") + ")";
  }
}
