package io.meshclient.api.spi;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reading setting values the way every mesh configuration reads them, for providers that parse their own
 * settings: durations ({@code 300ms}, {@code 2s}, {@code 5m}, {@code 1h}, ISO-8601 {@code PT2S}) and lists
 * (a list, or a map keyed {@code 0, 1, ...} as Spring binds indexed properties).
 */
public final class SettingValues {
  /** What a duration looks like, for error messages. */
  public static final String DURATION_EXPECTED = "a duration such as 300ms, 2s, 5m, 1h or PT2S";

  /**
   * What a duration must be, told about {@code value}, which {@link #parseDuration} refused: {@link
   * #DURATION_EXPECTED}, with a word on the space when the value has one between its number and its unit
   * ({@code 10 s}), which neither the mesh nor Spring Boot's duration conversion reads.
   */
  public static String durationExpected(Object value) {
    return value != null && value.toString().trim().matches("[0-9]+\\s+(ns|us|ms|s|m|h|d)")
        ? DURATION_EXPECTED + ", with no space between the number and the unit" : DURATION_EXPECTED;
  }

  private SettingValues() {}

  /** The duration {@code text} names ({@code ns}, {@code us}, {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} or ISO-8601), or null. */
  public static Duration parseDuration(String text) {
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
    try { // 15 digits of days overflow Duration: null, never an exception
      // no space before the unit: Spring Boot's duration conversion refuses 10 s too, and the README's forms have none
      switch (s.substring(unitStart)) {
        case "ns": return Duration.ofNanos(amount);
        case "us": return Duration.ofNanos(Math.multiplyExact(amount, 1000L));
        case "ms": return Duration.ofMillis(amount);
        case "s": return Duration.ofSeconds(amount);
        case "m": return Duration.ofMinutes(amount);
        case "h": return Duration.ofHours(amount);
        case "d": return Duration.ofDays(amount);
        default: return null;
      }
    } catch (ArithmeticException e) {
      return null;
    }
  }

  private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /**
   * Whether {@code name} is an RFC 9110 token, as a header or cookie name must be: {@code x-user-id} is, {@code
   * ""}, {@code "x user"} and a name holding a line break are not.
   */
  public static boolean isToken(String name) {
    return name != null && TOKEN.matcher(name).matches();
  }

  /**
   * Whether {@code host} can be connected to as given: an IPv4 or IPv6 literal (brackets allowed) or a DNS
   * name (dot-separated labels of letters, digits, {@code -} and {@code _}, each 1 to 63 characters and
   * neither starting nor ending with {@code -}; at most 253 characters). Nothing is looked up. For
   * discovery sources, whose addresses come from outside: {@code "10.0.0.1"}, {@code "::1"} and
   * {@code "reviews.default.svc"} are hosts, {@code ""}, {@code "a b"} and {@code "http://x"} are not.
   */
  public static boolean isHost(String host) {
    if (host == null || host.isEmpty() || host.length() > 255) {
      return false;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.indexOf(':') >= 0) {
      if (!h.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        return false;
      }
      try {
        // Only an IPv6 literal: with a ':' in it, the JDK parses the text and never asks DNS.
        java.net.InetAddress.getByName(h);
        return true;
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    String name = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    if (name.isEmpty() || name.length() > 253) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether {@code text} is a host with an optional port, as an address without a scheme is written: {@code
   * host} or {@code host:port}, the host as {@link #isHost} takes it (an IPv6 literal in brackets, which may
   * carry a zone: {@code [fe80::1%eth0]:8500}), the port 1 to 65535. {@code "127.0.0.1:8500"}, {@code
   * "[::1]:15010"} and {@code "istiod.istio-system.svc"} are; {@code "::1"} (a port or not?), {@code
   * "host:99999"}, {@code "host:"} and {@code "http://host"} are not.
   */
  public static boolean isHostAndPort(String text) {
    if (text == null) {
      return false;
    }
    String host = text;
    String port = null;
    int close = text.startsWith("[") ? text.indexOf(']') : -1;
    if (close > 0) {
      host = text.substring(0, close + 1);
      if (close + 1 < text.length()) {
        if (text.charAt(close + 1) != ':') {
          return false;
        }
        port = text.substring(close + 2);
      }
      int zone = host.indexOf('%');
      if (zone > 0) {
        if (!host.substring(zone + 1, host.length() - 1).matches("[A-Za-z0-9_.~-]+")) {
          return false;
        }
        host = host.substring(0, zone) + "]";
      }
    } else if (text.indexOf(':') >= 0) {
      if (text.indexOf(':') != text.lastIndexOf(':')) {
        return false; // an IPv6 literal takes brackets when a port may follow
      }
      host = text.substring(0, text.indexOf(':'));
      port = text.substring(text.indexOf(':') + 1);
    }
    if (port != null && !(port.matches("[0-9]{1,5}") && Integer.parseInt(port) >= 1
        && Integer.parseInt(port) <= 65535)) {
      return false;
    }
    return isHost(host);
  }

  /** The shortest exact form in the same syntax: {@code 1s}, {@code 250ms}, {@code 2m}; ISO-8601 if negative. */
  public static String formatDuration(Duration d) {
    if (d.isNegative()) {
      return d.toString();
    }
    if (d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) { // toNanos would overflow
      long seconds = d.getSeconds();
      return d.getNano() != 0 ? d.toString() : seconds % 3600 == 0 ? seconds / 3600 + "h"
          : seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
    long nanos = d.toNanos();
    long[] units = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
    String[] names = {"h", "m", "s", "ms", "us"};
    for (int i = 0; i < units.length; i++) {
      if (nanos != 0 && nanos % units[i] == 0) {
        return nanos / units[i] + names[i];
      }
    }
    return nanos + (nanos == 0 ? "ms" : "ns");
  }

  /** The items of a list, or of a map keyed {@code 0, 1, ...} in index order; null if {@code value} is neither. */
  @SuppressWarnings("unchecked")
  public static List<Object> asList(Object value) {
    if (value instanceof List<?> list) {
      return (List<Object>) list;
    }
    if (value instanceof Map<?, ?> map && !map.isEmpty()) {
      TreeMap<Integer, Object> indexed = new TreeMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        try {
          indexed.put(Integer.parseInt(String.valueOf(e.getKey())), e.getValue());
        } catch (NumberFormatException notIndexed) {
          return null;
        }
      }
      return new ArrayList<>(indexed.values());
    }
    return null;
  }

  /**
   * The file {@code text} names: a path, or a path after {@code file:} as Spring writes a file location
   * ({@code file:/etc/consul/ca.pem}); null if it is no path on this platform (it holds a NUL, say).
   */
  public static java.nio.file.Path filePath(String text) {
    try {
      return java.nio.file.Path.of(text.startsWith("file:") ? text.substring("file:".length()) : text);
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
  }

  /**
   * Whether {@code url} is an http or https URL with a host, a port from 1 to 65535 if it has one, and no query
   * or fragment: the base URL of an agent or API server. User info is the caller's to refuse, unshown.
   */
  public static boolean isHttpBaseUrl(java.net.URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
    return (scheme.equals("http") || scheme.equals("https")) && url.getHost() != null && url.getRawQuery() == null
        && url.getRawFragment() == null && url.getPort() != 0 && url.getPort() <= 65535;
  }

  /**
   * {@code url} as an error message may show it: its query and fragment, where a token may be, replaced by
   * {@code <redacted>} ({@code http://h:8500?<redacted>}). User info is the caller's to refuse unshown.
   */
  public static String withoutQuery(String url) {
    int cut = url.length();
    for (char c : new char[] {'?', '#'}) {
      cut = url.indexOf(c) < 0 ? cut : Math.min(cut, url.indexOf(c));
    }
    return cut == url.length() ? url : url.substring(0, cut + 1) + "<redacted>";
  }

  /**
   * The key of {@code known} that {@code key} spells another way Spring's relaxed binding accepts
   * ({@code aclToken}, {@code acl_token}, or {@code acltoken} from an environment variable for {@code
   * acl-token}; compared part by part for dotted keys), {@code key} itself if it is known, or null.
   */
  public static String relaxedKey(String key, java.util.Set<String> known) {
    if (known.contains(key)) {
      return key;
    }
    String uniform = uniform(key);
    for (String k : known) {
      if (uniform(k).equals(uniform)) {
        return k;
      }
    }
    return null;
  }

  /**
   * {@code "; did you mean 'retry'?"} when one name of {@code known} is within two edits of {@code key}
   * (relaxed spelling aside), or else is the only one that {@code key} begins (a name cut short, such as
   * {@code max-concurrent} for {@code max-concurrent-requests}), else the empty string: the tail of an
   * "unknown key" expectation.
   */
  public static String didYouMean(String key, java.util.Collection<String> known) {
    String best = closest(key, known);
    return best == null ? "" : "; did you mean '" + best + "'?";
  }

  /** The name of {@code known} that {@link #didYouMean} suggests for {@code key}, or null. */
  static String closest(String key, java.util.Collection<String> known) {
    String best = null;
    int bestDistance = 3;
    String uniform = uniform(key);
    String longer = null;
    int longerCount = 0;
    for (String k : known) {
      String other = uniform(k);
      int d = distance(uniform, other);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
      if (uniform.length() >= 4 && other.startsWith(uniform)) {
        longer = k;
        longerCount++;
      }
    }
    return best == null && longerCount == 1 ? longer : best;
  }

  /** Levenshtein distance, for names of at most a few dozen characters. */
  private static int distance(String a, String b) {
    if (a.length() > 64 || b.length() > 64) {
      return Integer.MAX_VALUE;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** Lower case without dashes and underscores, as Spring compares property names. */
  private static String uniform(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != '-' && c != '_') {
        out.append(Character.toLowerCase(c));
      }
    }
    return out.toString();
  }

  /** A decimal bound as documented: {@code 1}, {@code 1.6}, {@code 0.001}, never {@code 1.0} or {@code 1E-3}. */
  public static String formatDecimal(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  /**
   * {@code value} as a whole number when it is one within 64 bits ({@code 12}, {@code "12"}, {@code
   * 1_000} as YAML reads it), else null: never wrapped around, never rounded.
   */
  public static Long wholeNumber(Object value) {
    try {
      BigInteger n;
      if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
        return ((Number) value).longValue();
      } else if (value instanceof BigInteger big) {
        n = big;
      } else if (value instanceof BigDecimal || value instanceof Double || value instanceof Float) {
        n = new BigDecimal(value.toString()).toBigIntegerExact();
      } else {
        String text = value.toString().trim();
        if (text.length() > 40) {
          return null;
        }
        n = new BigInteger(text.startsWith("+") ? text.substring(1) : text);
      }
      return n.bitLength() < 64 ? n.longValue() : null;
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  /**
   * {@code value} as a finite number ({@code 1.6}, {@code "1.6"}, {@code 2}, {@code "1e1"}), else null:
   * never NaN or infinite, and no Java-only spelling such as {@code 1.6d} or {@code 0x1p1}.
   */
  public static Double decimalNumber(Object value) {
    if (value instanceof Double || value instanceof Float || value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte) {
      double d = ((Number) value).doubleValue();
      return Double.isFinite(d) ? d : null;
    }
    if (!(value instanceof CharSequence || value instanceof BigDecimal || value instanceof BigInteger)) {
      return null;
    }
    String text = value.toString().trim();
    if (text.isEmpty() || text.length() > 64) {
      return null;
    }
    try {
      double d = new BigDecimal(text).doubleValue();
      return Double.isFinite(d) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
