package io.meshclient.discovery.xds;

import java.util.ArrayList;
import java.util.List;

/**
 * The strings of a response the client keeps and sends back, {@code version_info} and {@code nonce}: bounded, as a
 * control plane may send any length up to gRPC's message limit (4 MiB), and each would be kept, sent in every
 * request of its type, shown in the status and logged. Logged only {@link #printable printable}.
 */
final class ServerStrings {
  /** The longest version_info or nonce taken, in characters: istiod's and go-control-plane's are under 100. */
  static final int MAX_LENGTH = 1024;
  /** How much of a string the control plane sent is logged. */
  private static final int LOGGED = 128;

  private ServerStrings() {}

  /**
   * The problem of a response of {@code type} whose version_info or nonce is longer than {@link #MAX_LENGTH},
   * naming each such field and its length; null when both are within the bound.
   */
  static String tooLong(ResourceType type, String version, String nonce) {
    List<String> problems = new ArrayList<>(2);
    if (version.length() > MAX_LENGTH) {
      problems.add(problem(type, "version_info", version));
    }
    if (nonce.length() > MAX_LENGTH) {
      problems.add(problem(type, "nonce", nonce));
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  private static String problem(ResourceType type, String field, String value) {
    return new XdsInvalidException(type + " response", field, value.length() + " characters",
        "at most " + MAX_LENGTH + " characters").getMessage();
  }

  /** {@link #printable(String, int)} cut at {@value #LOGGED} characters: for a version_info or nonce. */
  static String printable(String s) {
    return printable(s, LOGGED);
  }

  /**
   * {@code s}, which holds what the control plane sent, as it may be logged: on one line (CR, LF, the other
   * control characters and the line separators some log viewers break lines at, U+0085, U+2028 and U+2029,
   * escaped, so that it cannot forge a log line), and cut after {@code max} characters, saying how long it was.
   */
  static String printable(String s, int max) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 24);
    for (int i = 0; i < s.length(); i++) {
      if (i == max) {
        return out.append("...(").append(s.length()).append(" characters)").toString();
      }
      char c = s.charAt(i);
      out.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : escaped(c) ? String.format("\\u%04x", (int) c)
          : String.valueOf(c));
    }
    return out.toString();
  }

  /** Whether {@code c} is a control character (C0, DEL) or a line separator (NEL, LINE and PARAGRAPH SEPARATOR). */
  private static boolean escaped(char c) {
    return c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029;
  }
}
