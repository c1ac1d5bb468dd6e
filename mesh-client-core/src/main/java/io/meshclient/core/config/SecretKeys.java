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
          + "|\\.headers\\.(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token)(\\.|$)");

  private SecretKeys() {}

  /** Whether the value at {@code fullKey} (such as {@code mesh.discovery.consul.acl-token}) is a secret. */
  public static boolean isSecret(String fullKey) {
    return SECRET.matcher(fullKey.toLowerCase(Locale.ROOT)).find();
  }

  /** {@code key: value (expected: ...)}, with the value redacted when the key holds a secret. */
  public static String problem(String fullKey, Object value, String expectation) {
    return isSecret(fullKey) ? io.meshclient.api.ConfigurationException.secretProblem(fullKey, expectation)
        : io.meshclient.api.ConfigurationException.problem(fullKey, value, expectation);
  }
}
