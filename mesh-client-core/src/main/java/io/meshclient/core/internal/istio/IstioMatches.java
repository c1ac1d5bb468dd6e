package io.meshclient.core.internal.istio;

import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps a VirtualService route's {@code match} blocks (Istio's HTTPMatchRequest and StringMatch) onto {@link
 * RouteConfig.Match}; a block with a condition the mesh cannot evaluate is reported and left out.
 */
final class IstioMatches {
  private IstioMatches() {}

  /**
   * One {@code match} block, or null when it uses a condition the mesh cannot evaluate (reported) or one that never
   * holds here: gateways without {@code mesh}, a {@code sourceNamespace} other than {@code callerNamespace} (the
   * mesh's), {@code sourceLabels} not all among {@code callerLabels} (the application's own, null when not given:
   * then reported as unsupported). Conditions on the caller hold or not for all its calls, so they are decided here.
   */
  static RouteConfig.Match match(SpecNode m, String callerNamespace, Map<String, String> callerLabels) {
    m.fields("name", "uri", "scheme", "method", "authority", "headers", "port", "sourceLabels", "gateways",
        "queryParams", "ignoreUriCase", "withoutHeaders", "sourceNamespace", "statPrefix");
    int before = m.loading.unsupported.size();
    String dropped = "this match block is left out, so requests it alone would match fall through";
    m.unsupported("scheme", "matching the scheme; " + dropped);
    m.unsupported("authority", "matching the authority; " + dropped);
    boolean sourceLabelsHold = true;
    if (callerLabels == null) {
      m.unsupported("sourceLabels", "matching the caller's labels, which the mesh knows only when given (IstioOptions"
          + ".withLabels, mesh.istio.labels); " + dropped);
    } else if (m.has("sourceLabels")) {
      Map<String, String> wanted = m.stringMap("sourceLabels");
      sourceLabelsHold = callerLabels.entrySet().containsAll(wanted.entrySet());
    }
    List<String> gateways = m.strings("gateways");
    if (!gateways.isEmpty() && !gateways.contains("mesh")) {
      return null; // applies to gateways only, never to sidecars
    }
    StringMatch uri = stringMatch(m.child("uri"), true);
    Set<String> methods = new LinkedHashSet<>();
    SpecNode method = m.child("method");
    if (method != null) {
      StringMatch sm = stringMatch(method, false);
      String upper = sm == null ? null : sm.value().toUpperCase(Locale.ROOT);
      if (sm != null && sm.kind() == StringMatch.Kind.EXACT && !sm.value().equals(upper)) {
        // Upper-cased, the block would match the calls that in Istio never take it
        m.loading.problem(m.resource, method.key("exact"), sm.value(), "a method in upper case, such as " + upper
            + ": Envoy compares the method exactly, so under Istio this block never matches");
      } else if (sm != null && sm.kind() == StringMatch.Kind.EXACT) {
        methods.add(sm.value());
      } else if (sm != null) {
        m.loading.unsupported(m.resource, method.path, "method matches other than exact; " + dropped);
      }
    }
    Map<String, StringMatch> headers = matches(m, "headers");
    Map<String, StringMatch> query = matches(m, "queryParams");
    Map<String, StringMatch> without = matches(m, "withoutHeaders");
    // Istio sets treat_missing_header_as_empty on withoutHeaders: a missing header is "", so a matcher that holds
    // for "" (exact "", prefix "", a regex such as .*) excludes calls without the header too. The mesh's
    // withoutHeaders never hold for a missing header: such a condition also needs the header present.
    without.forEach((name, match) -> {
      if (matchesEmpty(match)) {
        headers.putIfAbsent(name, StringMatch.present());
      }
    });
    Boolean ignoreCase = m.bool("ignoreUriCase");
    // The service port a sidecar's caller addressed picks the outbound listener, whose routes keep the blocks of
    // that port only; here it is the port of the URL the caller addressed (80 or 443 when it names none)
    Integer port = m.integer("port", 0, 65535); // 0 is proto3's unset, as pilot reads it
    String sourceNamespace = m.string("sourceNamespace");
    if (m.loading.unsupported.size() > before || !sourceLabelsHold
        || (sourceNamespace != null && !sourceNamespace.equals(callerNamespace))) {
      return null; // another caller's namespace or labels: the block never matches this mesh's calls, as in Istio
    }
    return new RouteConfig.Match(uri, methods, headers, query, without, ignoreCase != null && ignoreCase,
        port == null ? 0 : port);
  }

  /**
   * The {@code field} ({@code headers}, {@code queryParams} or {@code withoutHeaders}) of match block {@code m}, by
   * name: header names in lower case, query parameter names as written, since Envoy compares them exactly.
   */
  private static Map<String, StringMatch> matches(SpecNode m, String field) {
    Map<String, StringMatch> out = new LinkedHashMap<>();
    SpecNode node = m.child(field);
    boolean headers = !field.equals("queryParams");
    if (node != null) {
      for (String name : new ArrayList<>(node.names())) {
        String key = headers ? name.toLowerCase(Locale.ROOT) : name;
        if (node.raw(name) == null) {
          // Left out, the condition would vanish and the block match every call. Istio's validation refuses a null
          // header match; a null query parameter or withoutHeaders match is a presence match, as {} is.
          if (field.equals("headers")) {
            node.loading.problem(node.resource, node.key(name), "null", "a match block such as { exact: v }, "
                + "{ prefix: v }, { regex: v }, or {} for any value (Istio: \"header match " + name
                + " cannot be null\")");
          } else {
            out.put(key, StringMatch.present());
          }
          continue;
        }
        SpecNode child = node.child(name);
        if (child == null) {
          continue;
        }
        // Istio's canBeConvertedToPresentMatch: no matcher, or the regex "*", is a presence match
        StringMatch match = child.names().isEmpty() || (child.names().equals(Set.of("regex"))
            && "*".equals(child.raw("regex"))) ? StringMatch.present() : stringMatch(child, false);
        if (match != null) {
          out.put(key, match);
        }
      }
    }
    return out;
  }

  /** Whether {@code match} holds for the empty value. */
  private static boolean matchesEmpty(StringMatch match) {
    return switch (match.kind()) {
      case EXACT, PREFIX -> match.value().isEmpty();
      case REGEX -> com.google.re2j.Pattern.matches(match.value(), "");
      case PRESENT -> false;
    };
  }

  /**
   * Istio's StringMatch: exactly one of exact, prefix, regex; an empty prefix (but a {@code uri}'s) or regex is
   * refused, as Istio's validation refuses it: an empty header prefix would match every value, which {} says.
   */
  private static StringMatch stringMatch(SpecNode node, boolean uri) {
    if (node == null) {
      return null;
    }
    node.fields("exact", "prefix", "regex");
    if (node.names().size() != 1) {
      node.loading.problem(node.resource, node.path, node.names(), "exactly one of exact, prefix, regex");
      return null;
    }
    String kind = node.names().iterator().next();
    String value = node.string(kind);
    if (value == null) {
      node.loading.problem(node.resource, node.key(kind), "null", "a value to match");
      return null;
    }
    if (value.isEmpty() && (kind.equals("regex") || (kind.equals("prefix") && !uri))) {
      node.loading.problem(node.resource, node.key(kind), "''", "a " + kind + " of at least one character, or {} for "
          + "any value (Istio: \"" + kind + " string match should not be empty\")");
      return null;
    }
    return switch (kind) {
      case "exact" -> StringMatch.exact(value);
      case "prefix" -> StringMatch.prefix(value);
      default -> {
        String problem = io.meshclient.core.internal.routing.RouteRegex.validate(value);
        if (problem != null) {
          node.loading.problem(node.resource, node.key(kind), value, problem);
          yield null;
        }
        yield StringMatch.regex(value);
      }
    };
  }
}
