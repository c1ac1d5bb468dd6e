package io.meshclient.core.internal.routing;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * The regular expressions of route matches, on RE2J: linear time in the length of the value whatever
 * the pattern, because header values and paths come from end users (Envoy allows only RE2 in its
 * {@code safe_regex} for the same reason). A pattern matches the whole value, as {@code safe_regex}
 * does. RE2 has no backreferences and no lookaround: such patterns are refused when the configuration
 * is validated.
 */
public final class RouteRegex {
  private static final String[] LOOKAROUND = {"(?=", "(?!", "(?<=", "(?<!"};
  /**
   * The deepest nesting of groups taken, RE2's own bound (Go's regexp/syntax: "expression nests too deeply"):
   * RE2J has none, and compiling a few thousand nested groups overflows the thread's stack.
   */
  public static final int MAX_NESTING = 1000;
  private RouteRegex() {}

  /**
   * What is wrong with {@code pattern} as a route regex, as the "expected" part of a configuration
   * error, or null if it compiles.
   */
  public static String validate(String pattern) {
    String unsupported = unsupportedConstruct(pattern);
    if (unsupported != null) {
      return "an RE2 regular expression (linear time, matched against the whole value); " + unsupported
          + " are not supported";
    }
    try {
      Pattern.compile(pattern);
      return null;
    } catch (PatternSyntaxException e) {
      return "an RE2 regular expression (linear time, matched against the whole value); " + e.getDescription();
    }
  }

  /** Compiles a pattern that {@link #validate} accepted. */
  static Pattern compile(String pattern) {
    return Pattern.compile(pattern);
  }

  /**
   * Names the construct of {@code pattern} RE2J is not given (backtracking-only ones, groups nested more than
   * {@link #MAX_NESTING} deep), or null if it has none.
   */
  public static String unsupportedConstruct(String pattern) {
    boolean inClass = false;
    int depth = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        char next = pattern.charAt(++i);
        if (!inClass && ((next >= '1' && next <= '9') || next == 'k')) {
          return "backreferences (\\" + next + ")";
        }
      } else if (c == '[') {
        inClass = true;
      } else if (c == ']') {
        inClass = false;
      } else if (!inClass && c == ')') {
        depth--;
      } else if (!inClass && c == '(' && ++depth > MAX_NESTING) {
        return "groups nested more than " + MAX_NESTING + " deep";
      } else if (!inClass && c == '(' && pattern.startsWith("(?", i)) {
        for (String lookaround : LOOKAROUND) {
          if (pattern.startsWith(lookaround, i)) {
            return "lookaround assertions (" + lookaround + ")";
          }
        }
        if (pattern.startsWith("(?>", i)) {
          return "atomic groups ((?>)";
        }
      }
    }
    return null;
  }
}
