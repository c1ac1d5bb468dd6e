package io.meshclient.core.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which configuration keys hold secrets: their values never appear in an error message. Credentials
 * (tokens, passwords, secrets, keys' contents) and the values matched against credential headers.
 */
public final class SecretKeys {
  private static final Pattern SECRET = Pattern.compile(
      "(token|password|passphrase|secret|credential|api-key)(\\b|$|\\.|\\[)"
          + "|\\.headers\\.(?:(?:request|response)\\.(?:set|add)\\.)?"
          + "(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token)(\\.|$)");

  private SecretKeys() {}

  /** Whether the value at {@code fullKey} (such as {@code mesh.discovery.consul.acl-token}) is a secret. */
  public static boolean isSecret(String fullKey) {
    return SECRET.matcher(fullKey.toLowerCase(Locale.ROOT)).find();
  }

  /**
   * {@code value} fit to show: {@code <redacted>} at a secret key, URL user info ({@code
   * http://admin:pw@host}) replaced by {@code <redacted>} anywhere in text, maps and lists walked.
   */
  public static Object redact(String fullKey, Object value) {
    if (value == null) {
      return null;
    }
    if (isSecret(fullKey)) {
      return "<redacted>";
    }
    if (value instanceof java.util.Map<?, ?> map) {
      java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
      map.forEach((k, v) -> out.put(k, redact(fullKey + "." + k, v)));
      return out;
    }
    if (value instanceof java.util.List<?> list) {
      java.util.List<Object> out = new java.util.ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(redact(fullKey + "[" + i + "]", list.get(i)));
      }
      return out;
    }
    String text = value.toString();
    return text.contains("@") ? USER_INFO.matcher(text).replaceAll("$1<redacted>@") : value;
  }

  private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s]*@");

  /** {@code key: value (expected: ...)}, with the value redacted when the key holds a secret. */
  public static String problem(String fullKey, Object value, String expectation) {
    return isSecret(fullKey) ? io.meshclient.api.ConfigurationException.secretProblem(fullKey, expectation)
        : io.meshclient.api.ConfigurationException.problem(fullKey, redact(fullKey, value), expectation);
  }
}
