package io.meshclient.core.internal.routing;

import io.meshclient.core.config.StringMatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A compiled {@link StringMatch}. Regex matchers reuse one {@link Matcher} per thread, so matching allocates nothing. */
final class ValueMatcher {
  private final StringMatch.Kind kind;
  private final String value;
  private final ThreadLocal<Matcher> matcher;

  ValueMatcher(StringMatch match) {
    this.kind = match.kind();
    this.value = match.value();
    if (kind == StringMatch.Kind.REGEX) {
      Pattern pattern = Pattern.compile(value);
      this.matcher = ThreadLocal.withInitial(() -> pattern.matcher(""));
    } else {
      this.matcher = null;
    }
  }

  /** Whether {@code actual} (null when absent) matches. */
  boolean matches(String actual) {
    if (actual == null) {
      return false;
    }
    switch (kind) {
      case EXACT: return value.equals(actual);
      case PREFIX: return actual.startsWith(value);
      case REGEX: return matcher.get().reset(actual).matches();
      default: return true;
    }
  }
}
