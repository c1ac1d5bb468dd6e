package io.meshclient.core.config;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How a path or header value is matched: exactly, by prefix, by a regular expression over the whole
 * value, or by mere presence (headers only).
 *
 * @param kind the kind of match
 * @param value the text to compare with; empty for {@link Kind#PRESENT}
 * @param secret whether the value is a credential (matched against an {@code authorization} header, say),
 *     never shown by {@link #toString()}
 */
public record StringMatch(Kind kind, String value, boolean secret) {

  /** The kinds of match, named as in configuration. */
  public enum Kind {
    EXACT, PREFIX, REGEX, PRESENT;

    /** The configuration name: {@code exact}, {@code prefix}, {@code regex} or {@code present}. */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public StringMatch {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }

  /** A match whose value may be shown. */
  public StringMatch(Kind kind, String value) {
    this(kind, value, false);
  }

  /** This match, with a value that is never shown. */
  public StringMatch asSecret() {
    return new StringMatch(kind, value, true);
  }

  public static StringMatch exact(String value) {
    return new StringMatch(Kind.EXACT, value);
  }

  public static StringMatch prefix(String value) {
    return new StringMatch(Kind.PREFIX, value);
  }

  public static StringMatch regex(String value) {
    return new StringMatch(Kind.REGEX, value);
  }

  public static StringMatch present() {
    return new StringMatch(Kind.PRESENT, "");
  }

  /** Returns a problem description if a regex does not compile, else null. */
  String regexProblem(String key) {
    if (kind != Kind.REGEX) {
      return null;
    }
    try {
      Pattern.compile(value);
      return null;
    } catch (PatternSyntaxException e) {
      return SecretKeys.problem(key + ".regex", value, "a Java regular expression; "
          + e.getDescription() + " at index " + e.getIndex());
    }
  }

  @Override
  public String toString() {
    return kind.key() + (kind == Kind.PRESENT ? "" : secret ? ":<redacted>" : ":" + value);
  }
}
