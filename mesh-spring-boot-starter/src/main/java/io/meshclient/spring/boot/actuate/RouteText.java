package io.meshclient.spring.boot.actuate;

import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Route conditions and destinations as short, secret-free text for the actuator. */
final class RouteText {
  private static final String[] SENSITIVE = {"authorization", "cookie", "token", "secret", "key", "password"};

  private RouteText() {}

  /** {@code to v2}, {@code split {v1=80, v3=20}}, or {@code destinations [v1=70, ratings=30]} across services. */
  static String destination(RouteConfig route) {
    return route.to() != null ? "to " + route.to() : !route.split().isEmpty() ? "split " + route.split()
        : "destinations " + route.destinations();
  }

  /**
   * Every condition of the route, by kind, as {@link RouteConfig.Match} holds them: path, methods, port,
   * ignoreUriCase, headers, queryParams and withoutHeaders (absent when the route has none of that kind);
   * the values matched against credential-like headers or query parameters masked.
   */
  static Map<String, Object> match(RouteConfig.Match match) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (match.path() != null) {
      out.put("path", match.path().toString());
    }
    if (!match.methods().isEmpty()) {
      out.put("methods", match.methods());
    }
    if (match.port() != 0) {
      out.put("port", match.port());
    }
    if (match.ignoreUriCase()) {
      out.put("ignoreUriCase", true);
    }
    putMasked(out, "headers", match.headers());
    putMasked(out, "queryParams", match.queryParams());
    putMasked(out, "withoutHeaders", match.withoutHeaders());
    return out;
  }

  /** {@code name -> exact:v}, values of credential-like names masked; nothing for no conditions. */
  private static void putMasked(Map<String, Object> out, String kind, Map<String, StringMatch> conditions) {
    if (conditions.isEmpty()) {
      return;
    }
    Map<String, String> shown = new LinkedHashMap<>();
    conditions.forEach((name, m) -> shown.put(name,
        (m.secret() || sensitive(name)) && m.kind() != StringMatch.Kind.PRESENT ? m.kind().key() + ":******"
            : m.toString()));
    out.put(kind, shown);
  }

  private static boolean sensitive(String name) {
    String h = name.toLowerCase(Locale.ROOT);
    for (String s : SENSITIVE) {
      if (h.contains(s)) {
        return true;
      }
    }
    return false;
  }
}
