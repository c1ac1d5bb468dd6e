package io.meshclient.api;

import java.util.List;
import java.util.Objects;

/**
 * A configuration was refused. Each problem names the full key, the offending value and what was
 * expected, as in {@code mesh.services.reviews.rate-limit.rate: 0 (expected: > 0)}. Secret values are
 * never part of a message.
 *
 * <p>Nothing of a refused configuration is applied.
 */
public final class ConfigurationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** A configuration refused for the given problems, at least one. */
  public ConfigurationException(List<String> problems) {
    super(join(problems));
    this.problems = List.copyOf(problems);
  }

  /** A configuration refused for one problem, with the exception that revealed it. */
  public ConfigurationException(String problem, Throwable cause) {
    super(Objects.requireNonNull(problem, "problem"), cause);
    this.problems = List.of(problem);
  }

  /** {@code key: value (expected: expectation)}. */
  public static ConfigurationException of(String key, Object value, String expectation) {
    return new ConfigurationException(List.of(problem(key, value, expectation)));
  }

  /**
   * A configuration file that could not be read: {@code mesh.yaml: cannot be read (no such file:
   * /srv/app/mesh.yaml)}. The file is named as given and, for a missing file, a directory or a denied
   * read, by its absolute path, so a relative name shows which working directory it was looked for in.
   */
  public static ConfigurationException unreadable(java.nio.file.Path file, java.io.IOException cause) {
    String absolute = file.toAbsolutePath().normalize().toString();
    String why = cause instanceof java.nio.file.NoSuchFileException ? "no such file: " + absolute
        : cause instanceof java.nio.file.AccessDeniedException ? "permission denied: " + absolute
        : java.nio.file.Files.isDirectory(file) ? "a directory, not a file: " + absolute
        : cause.toString();
    return new ConfigurationException(escapeKey(file.toString()) + ": cannot be read (" + printable(why) + ")", cause);
  }

  /**
   * Formats one problem as {@code key: value (expected: expectation)}. The value is shown on one line:
   * control characters are escaped ({@code \r}, {@code \n}, {@code \u0000}) so a value cannot forge
   * extra lines in a log, and a value longer than 200 characters is cut.
   */
  public static String problem(String key, Object value, String expectation) {
    return escapeKey(key) + ": " + printable(String.valueOf(value)) + " (expected: " + expectation + ")";
  }

  /** A key on one line: a key read from a file may hold CR or LF, which must not forge a log line. */
  private static String escapeKey(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        StringBuilder out = new StringBuilder(key.length() + 8);
        for (char k : key.toCharArray()) {
          out.append(k == '\r' ? "\\r" : k == '\n' ? "\\n" : k < 0x20 || k == 0x7f
              ? String.format("\\u%04x", (int) k) : String.valueOf(k));
        }
        return out.toString();
      }
    }
    return key;
  }

  private static String printable(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), 210));
    for (int i = 0; i < value.length(); i++) {
      if (out.length() >= 200) {
        return out.append("...(").append(value.length()).append(" characters)").toString();
      }
      char c = value.charAt(i);
      switch (c) {
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** Formats a problem with a secret value without showing the value. */
  public static String secretProblem(String key, String expectation) {
    return escapeKey(key) + ": <redacted> (expected: " + expectation + ")";
  }

  /** Every problem found, in the order they were found. */
  public List<String> problems() {
    return problems;
  }

  private static String join(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems: [] (expected: at least one)");
    }
    return problems.size() == 1 ? problems.get(0) : problems.size() + " configuration problems:\n  "
        + String.join("\n  ", problems);
  }
}
