package io.meshclient.spring.boot;

import io.meshclient.core.config.SecretKeys;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.env.Environment;

/**
 * A {@code ${NAME}} in a {@code mesh.*} value that nothing sets. Spring's binding leaves it in the value
 * as written, so an {@code acl-token: ${CONSUL_TOKEN}} whose variable was missing became the token
 * {@code "${CONSUL_TOKEN}"}; the mesh's reader refuses the same in mesh.yaml, naming the key and the
 * variable, and so does the starter.
 */
final class UnresolvedPlaceholders {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)(:[^}]*)?}");

  private UnresolvedPlaceholders() {}

  /**
   * The problem at {@code key} if {@code resolved}, what Spring made of {@code raw}, still holds a
   * placeholder without a default that {@code environment} does not set; null otherwise. The value is
   * shown as mesh.yaml's reader shows it: redacted at a secret key.
   */
  static String problem(String key, Object raw, Object resolved, Environment environment) {
    if (!(resolved instanceof String text) || !text.contains("${") || !(raw instanceof String written)) {
      return null;
    }
    Matcher placeholder = PLACEHOLDER.matcher(written);
    while (placeholder.find()) {
      String name = placeholder.group(1);
      if (placeholder.group(2) == null && environment.getProperty(name) == null) {
        return SecretKeys.problem(key, written, "the property or environment variable " + name
            + " to be set, or a default such as ${" + name + ":value}");
      }
    }
    return null;
  }
}
