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

  /** The conditions by kind: path, methods, port, headers; header values of credential-like headers masked. */
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
    if (!match.headers().isEmpty()) {
      Map<String, String> headers = new LinkedHashMap<>();
      match.headers().forEach((name, m) -> headers.put(name, sensitive(name) && m.kind() != StringMatch.Kind.PRESENT
          ? m.kind().key() + ":******" : m.toString()));
      out.put("headers", headers);
    }
    return out;
  }

  private static boolean sensitive(String header) {
    String h = header.toLowerCase(Locale.ROOT);
    for (String s : SENSITIVE) {
      if (h.contains(s)) {
        return true;
      }
    }
    return false;
  }
}
