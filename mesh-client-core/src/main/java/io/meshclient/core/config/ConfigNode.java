package io.meshclient.core.config;

import io.meshclient.api.spi.Setting;
import io.meshclient.api.spi.SettingValues;
import static io.meshclient.core.config.SecretKeys.problem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A position in a raw configuration tree (maps, lists, scalars) that knows its full key, reads typed
 * values, and records problems instead of throwing, so one pass reports every bad key.
 *
 * <p>Accepts what YAML, JSON and Spring's binder produce: numbers as numbers or strings, lists as lists
 * or as maps keyed {@code 0, 1, ...}.
 */
final class ConfigNode {
  private final String key;
  private Map<String, Object> map;
  private final List<String> problems;

  ConfigNode(String key, Map<String, Object> map, List<String> problems) {
    this.key = key;
    this.map = map;
    this.problems = problems;
  }

  String key() {
    return key;
  }

  String key(String child) {
    return key + "." + child;
  }

  boolean has(String child) {
    return map.get(child) != null;
  }

  Set<String> childNames() {
    return map.keySet();
  }

  /**
   * Records a problem for every key not in {@code known}. A known key written the other ways Spring's
   * relaxed binding accepts ({@code loadBalancer}, {@code load_balancer}, or {@code loadbalancer} from
   * an environment variable such as {@code MESH_DEFAULTS_LOADBALANCER}) is read as the key it stands
   * for; so is {@code true} where {@code on} is known, since YAML 1.1 (Spring Boot's application.yml)
   * reads the key {@code on} as a boolean. Call it before reading the block's settings.
   */
  void allowOnly(Setting block) {
    allowOnly(block.names());
  }

  /** As {@link #allowOnly(Setting)}, for names not declared as a block. */
  void allowOnly(Set<String> known) {
    Map<String, Object> canonical = new LinkedHashMap<>();
    Map<String, String> spelledAs = new java.util.HashMap<>();
    boolean renamed = false;
    for (Map.Entry<String, Object> entry : map.entrySet()) {
      String child = entry.getKey();
      String name = known.contains(child) ? child : relaxed(child, known);
      if (name == null) {
        // the value is never shown here, so even a secret key's problem can say what it is
        problems.add(io.meshclient.api.ConfigurationException.problem(key(child), "unknown key",
            "one of " + new java.util.TreeSet<>(known) + SettingValues.didYouMean(child, known)));
        continue;
      }
      String earlier = spelledAs.putIfAbsent(name, child);
      if (earlier != null) {
        problems.add(io.meshclient.api.ConfigurationException.problem(key(child), "set twice",
            "one spelling of " + key(earlier)));
        continue;
      }
      renamed |= !name.equals(child);
      canonical.put(name, entry.getValue());
    }
    if (renamed) {
      map = canonical;
    }
  }

  /** The key of {@code known} that {@code child} spells another way, or null. */
  private static String relaxed(String child, Set<String> known) {
    String key = SettingValues.relaxedKey(child, known);
    return key != null ? key : child.equals("true") && known.contains("on") ? "on" : null;
  }

  /**
   * Whether this block's {@code enabled} key is true or left out; a value other than true or false is reported
   * (and the block taken as off).
   */
  boolean enabled() {
    String enabled = string("enabled");
    if (enabled == null || "true".equalsIgnoreCase(enabled)) {
      return true;
    }
    if (!"false".equalsIgnoreCase(enabled)) {
      report(key("enabled"), enabled, "true or false");
    }
    return false;
  }

  /**
   * The validator for a block turned off ({@code enabled: false}): the block's values are read and range-checked
   * all the same, so a bad value next to {@code enabled: false} is refused now rather than the day the block is
   * turned back on. (The validator never sees a block that is off: the model holds only "off".)
   */
  ResilienceValidator offBlockValidator() {
    return new ResilienceValidator(problems);
  }

  /** Records a problem at {@code fullKey}. */
  void report(String fullKey, Object value, String expected) {
    problems.add(problem(fullKey, value, expected));
  }

  String string(String child) {
    Object v = map.get(child);
    if (v == null) {
      return null;
    }
    if (v instanceof Map || v instanceof List) {
      problems.add(problem(key(child), kind(v), "a single value"));
      return null;
    }
    return v.toString();
  }

  /**
   * What a value compared or sent as text must be: a YAML number with a fraction is not, since YAML (mesh.yaml, and
   * Spring's application.yml alike) reads {@code 1.10} unquoted as the number 1.1, and the text would not be the one
   * written; whole numbers and booleans are kept as written.
   */
  static final String TEXT_NOT_FRACTION = "text, quoted in YAML: unquoted, 1.10 is read as the number 1.1";

  /**
   * As {@link #string(String)}, for a value compared or sent as text (a header's, a label's): a number with a
   * fraction is reported ({@link #TEXT_NOT_FRACTION}), and null.
   */
  String text(String child) {
    Object v = map.get(child);
    if (isFraction(v)) {
      problems.add(problem(key(child), v, TEXT_NOT_FRACTION));
      return null;
    }
    return string(child);
  }

  /** As {@link #stringMap(String)}, for values compared or sent as text: a number with a fraction is reported. */
  Map<String, String> textMap(String child) {
    Map<String, String> out = stringMap(child);
    Map<String, Object> m = asMap(map.get(child));
    if (m != null) {
      m.forEach((k, v) -> {
        if (isFraction(v)) {
          problems.add(problem(key(child) + "." + k, v, TEXT_NOT_FRACTION));
          out.remove(k);
        }
      });
    }
    return out;
  }

  /** Whether {@code v} is what YAML makes of a number with a fraction. */
  static boolean isFraction(Object v) {
    return v instanceof Double || v instanceof Float || v instanceof java.math.BigDecimal;
  }

  /** The value of a declared setting as its type, or null (absent or reported); ranges are the validator's. */
  private <T> T parsed(Setting setting, Class<T> type) {
    Object v = map.get(setting.name());
    return v == null ? null : type.cast(setting.parse(key(setting.name()), v, problems));
  }

  Integer integer(Setting setting) {
    return parsed(setting, Integer.class);
  }

  /** As {@link #integer(Setting)}, or {@code fallback} when absent or refused. */
  int integer(Setting setting, int fallback) {
    Integer value = integer(setting);
    return value != null ? value : fallback;
  }

  /** A declared decimal setting, or {@code fallback} when absent or refused. */
  double decimal(Setting setting, double fallback) {
    Double value = parsed(setting, Double.class);
    return value != null ? value : fallback;
  }

  Duration duration(Setting setting) {
    return parsed(setting, Duration.class);
  }

  /** As {@link #duration(Setting)}, or {@code fallback} when absent or refused. */
  Duration duration(Setting setting, Duration fallback) {
    Duration value = duration(setting);
    return value != null ? value : fallback;
  }

  /** A whole number within int range, never wrapped around, or null (absent or reported). */
  Integer integer(String child) {
    Object v = map.get(child);
    if (v == null) {
      return null;
    }
    Long value = SettingValues.wholeNumber(v);
    if (value == null || value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
      problems.add(problem(key(child), v, "a whole number"));
      return null;
    }
    return (int) (long) value;
  }

  Duration duration(String child) {
    Object v = map.get(child);
    if (v == null) {
      return null;
    }
    Duration d = v instanceof Duration given ? given : SettingValues.parseDuration(v.toString());
    if (d == null) {
      problems.add(problem(key(child), v, SettingValues.durationExpected(v)));
    }
    return d;
  }

  /** The child block, or null if absent; a scalar where a block belongs is a problem. */
  ConfigNode child(String child) {
    return child(child, "a block of settings");
  }

  /**
   * As {@link #child(String)} for a declared block, whose keys a scalar written in its place ({@code rate-limit:
   * 200/s}, {@code tls: true}) is told: where the block's keys go is what the writer did not know.
   */
  ConfigNode child(Setting block) {
    return child(block.name(), "a block of settings with " + String.join(", ", block.names()));
  }

  /** As {@link #child(String)}, telling {@code expected} when the value is not a block. */
  ConfigNode child(String child, String expected) {
    Object v = map.get(child);
    if (v == null) {
      return null;
    }
    Map<String, Object> m = asMap(v);
    if (m == null) {
      // a list is told by its kind: its items, printed, would read as the block's contents
      problems.add(problem(key(child), v instanceof List ? kind(v) : v, expected));
      return null;
    }
    return new ConfigNode(key(child), m, problems);
  }

  /**
   * The child block, or an empty one where the key is written with nothing under it ({@code reviews:} in
   * YAML, which Spring reads as an empty string): a named entry, such as a service, that is there with every
   * default, not dropped in silence.
   */
  ConfigNode blockOrEmpty(String child) {
    Object v = map.get(child);
    if (v == null || v instanceof String text && text.isBlank()) {
      return map.containsKey(child) ? new ConfigNode(key(child), new java.util.LinkedHashMap<>(), problems) : null;
    }
    return child(child);
  }

  /**
   * The child list of blocks, keyed {@code child[i]}; absent is empty, and so is a blank value (Spring reads
   * {@code routes: []} in YAML as an empty string).
   */
  List<ConfigNode> list(String child) {
    Object v = map.get(child);
    List<ConfigNode> out = new ArrayList<>();
    if (v == null || v instanceof String text && text.isBlank()) {
      return out;
    }
    List<Object> items = asList(v);
    if (items == null) {
      problems.add(problem(key(child), v, "a list"));
      return out;
    }
    for (int i = 0; i < items.size(); i++) {
      Map<String, Object> m = asMap(items.get(i));
      if (m == null) {
        problems.add(problem(key(child) + "[" + i + "]", items.get(i), "a block of settings"));
      } else {
        out.add(new ConfigNode(key(child) + "[" + i + "]", m, problems));
      }
    }
    return out;
  }

  /**
   * The child's scalar items: a list, or one scalar read as a comma-separated list ({@code on: 503,504}, as
   * Spring binds a {@code List<String>} property, which the IDE metadata declares), items trimmed, blank ones
   * left out; a blank scalar (Spring's reading of {@code on: []}) is empty.
   */
  List<String> strings(String child) {
    Object v = map.get(child);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    List<Object> items = asList(v);
    if (items == null) {
      for (String item : v.toString().split(",")) {
        if (!item.isBlank()) {
          out.add(item.trim());
        }
      }
    } else {
      items.forEach(item -> out.add(String.valueOf(item)));
    }
    return out;
  }

  /** The child map of scalars, in order. */
  Map<String, String> stringMap(String child) {
    ConfigNode node = child(child);
    Map<String, String> out = new LinkedHashMap<>();
    if (node != null) {
      node.map.forEach((k, v) -> {
        if (v instanceof Map || v instanceof List) {
          problems.add(problem(node.key(k), kind(v), "a single value"));
        } else {
          out.put(k, v == null ? "" : v.toString());
        }
      });
    }
    return out;
  }

  /** The raw value of a child. */
  Object raw(String child) {
    return map.get(child);
  }

  @SuppressWarnings("unchecked")
  /**
   * What a value that is not a scalar is, for a message: {@code a list} or {@code a nested block}. A list that
   * Spring's properties hold ({@code routes[0]}) comes as a block keyed {@code 0, 1, ...} where the reader
   * expects a list, and as a list where it does not (the starter turns it back).
   */
  static String kind(Object v) {
    return v instanceof List ? "a list" : "a nested block";
  }

  static Map<String, Object> asMap(Object v) {
    if (!(v instanceof Map<?, ?> m)) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    ((Map<Object, Object>) m).forEach((k, value) -> out.put(String.valueOf(k), value));
    return out;
  }

  static List<Object> asList(Object v) {
    return SettingValues.asList(v);
  }
}
