package io.meshclient.discovery.xds;

import static io.meshclient.api.ConfigurationException.problem;
import static io.meshclient.api.ConfigurationException.secretProblem;

import io.meshclient.api.spi.SettingValues;
import java.util.List;
import java.util.Locale;

/**
 * Checks an xDS server's gRPC target ({@code server-uri}, a bootstrap's {@code xds_servers[0].server_uri}) when
 * the settings are read. Without this, gRPC refuses a bad target only when the channel is built, with an
 * {@code IllegalArgumentException} that names no key and echoes the target, user info included; and a port
 * out of range is refused on every connect, for ever.
 */
final class ServerTargets {
  static final String EXPECTED = "a gRPC target such as istiod.istio-system.svc:15010, dns:///host:port or "
      + "unix:///path, without user info, query or fragment";

  private ServerTargets() {}

  /** Adds a problem naming {@code key} unless {@code target} is one gRPC opens; never echoes user info or a query. */
  static void check(String key, String target, List<String> problems) {
    String t = target.trim();
    if (t.isEmpty()) {
      problems.add(problem(key, "'" + target + "'", EXPECTED));
      return;
    }
    if (refusedUnshown(key, t, EXPECTED, problems)) {
      return;
    }
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.startsWith("unix:") || lower.startsWith("unix-abstract:")) {
      if (t.substring(t.indexOf(':') + 1).replace("/", "").isEmpty()) {
        problems.add(problem(key, t, EXPECTED));
      }
      return;
    }
    String authority = t;
    if (lower.startsWith("dns:")) {
      authority = t.substring("dns:".length()).replaceFirst("^//[^/]*/", "").replaceFirst("^/+", "");
    } else if (t.matches("[A-Za-z][A-Za-z0-9+.-]*:/.*")) {
      problems.add(problem(key, t, EXPECTED + " (no name resolver for " + t.substring(0, t.indexOf(':')) + ":)"));
      return;
    }
    if (!SettingValues.isHostAndPort(authority)) {
      problems.add(problem(key, t, EXPECTED));
    }
  }

  /**
   * Adds a problem naming {@code key} if {@code target} holds user info (which may hold a password: not shown)
   * or a query or fragment (which may hold a token: shown up to it, {@link SettingValues#withoutQuery}), and
   * says whether it did.
   */
  static boolean refusedUnshown(String key, String target, String expected, List<String> problems) {
    if (target.indexOf('@') >= 0) {
      problems.add(secretProblem(key, expected));
      return true;
    }
    String shown = SettingValues.withoutQuery(target);
    if (!shown.equals(target)) {
      problems.add(problem(key, shown, expected));
      return true;
    }
    return false;
  }
}
