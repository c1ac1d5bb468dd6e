package io.meshclient.core.internal.routing;

import io.meshclient.core.config.StringMatch;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * A compiled {@link StringMatch}. Regexes run on RE2J ({@link RouteRegex}): linear time, whole value;
 * each thread reuses one {@link Matcher}. Exact, prefix and presence matches allocate nothing.
 */
final class ValueMatcher {
  private final StringMatch.Kind kind;
  private final String value;
  private final ThreadLocal<Matcher> matcher;
  private final boolean ignoreCase;

  ValueMatcher(StringMatch match) {
    this(match, false);
  }

  /** A matcher whose exact and prefix matches ignore case when {@code ignoreCase} (Istio's {@code ignoreUriCase}). */
  ValueMatcher(StringMatch match, boolean ignoreCase) {
    this.ignoreCase = ignoreCase;
    this.kind = match.kind();
    this.value = match.value();
    if (kind == StringMatch.Kind.REGEX) {
      Pattern pattern = RouteRegex.compile(value);
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
      case EXACT: return ignoreCase ? value.equalsIgnoreCase(actual) : value.equals(actual);
      case PREFIX: return ignoreCase ? actual.regionMatches(true, 0, value, 0, value.length())
          : actual.startsWith(value);
      case REGEX: return matcher.get().reset(actual).matches();
      default: return true;
    }
  }
}
