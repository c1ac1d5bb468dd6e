package io.meshclient.discovery.xds;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import io.meshclient.core.internal.routing.RouteRegex;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps a route's {@code match} (Envoy's RouteMatch: path, case sensitivity, headers, query parameters) onto the
 * mesh's {@link RouteConfig.Match}; a match the mesh cannot evaluate is noted and yields null, so the route never
 * matches.
 */
final class MatchMapper {
  private MatchMapper() {}

  static RouteConfig.Match match(String key, RouteMatch m, List<String> notes) {
    StringMatch path = switch (m.getPathSpecifierCase()) {
      case PREFIX -> m.getPrefix().isEmpty() || m.getPrefix().equals("/") ? null : StringMatch.prefix(m.getPrefix());
      case PATH -> StringMatch.exact(m.getPath());
      case SAFE_REGEX -> StringMatch.regex(regex(key, "match.safe_regex.regex", m.getSafeRegex().getRegex()));
      default -> {
        notes.add(key + ": match." + m.getPathSpecifierCase() + " is not implemented: the route never matches");
        yield null;
      }
    };
    if (path == null && m.getPathSpecifierCase() != RouteMatch.PathSpecifierCase.PREFIX) {
      return null;
    }
    // Envoy: case_sensitive (default true) applies to prefix and path, never to safe_regex; so does ignoreUriCase.
    boolean ignoreCase = m.hasCaseSensitive() && !m.getCaseSensitive().getValue();
    if (m.hasRuntimeFraction() || m.hasGrpc() || m.hasTlsContext() || m.getDynamicMetadataCount() > 0) {
      notes.add(key + ": match.runtime_fraction/grpc/tls_context/dynamic_metadata are not implemented: "
          + "the route never matches");
      return null;
    }
    Map<String, StringMatch> query = new LinkedHashMap<>();
    for (int q = 0; q < m.getQueryParametersCount(); q++) {
      QueryParameterMatcher qm = m.getQueryParameters(q);
      String field = "match.query_parameters[" + q + "] (" + ServerStrings.printable(qm.getName()) + ")";
      if (qm.getName().isEmpty()) {
        throw new XdsInvalidException(key, "match.query_parameters[" + q + "].name", "''", "a query parameter name");
      }
      StringMatch sm = switch (qm.getQueryParameterMatchSpecifierCase()) {
        case STRING_MATCH -> string(key, field + ".string_match", qm.getStringMatch());
        // Envoy: a parameter that is present matches present_match; absent, the matcher never matches.
        case PRESENT_MATCH -> qm.getPresentMatch() ? StringMatch.present() : null;
        default -> StringMatch.present(); // Envoy: no matcher matches on presence
      };
      if (sm == null && qm.hasPresentMatch()) {
        return null; // present_match false never matches in Envoy: the route is dropped, as Envoy never takes it
      }
      if (sm == null) {
        notes.add(key + ": " + field + ".string_match." + qm.getStringMatch().getMatchPatternCase()
            + " is not implemented: the route never matches");
        return null;
      }
      if (query.putIfAbsent(qm.getName(), sm) != null) {
        notes.add(key + ": " + field + ": a second matcher for one parameter is not implemented: the route never matches");
        return null;
      }
    }
    Set<String> methods = new LinkedHashSet<>();
    Map<String, StringMatch> headers = new LinkedHashMap<>();
    Map<String, StringMatch> without = new LinkedHashMap<>();
    for (int h = 0; h < m.getHeadersCount(); h++) {
      HeaderMatcher hm = m.getHeaders(h);
      String field = "match.headers[" + h + "] (" + ServerStrings.printable(hm.getName()) + ")";
      String problem = headerMatch(key, field, hm, methods, headers, without);
      if (problem != null) {
        notes.add(key + ": " + field + ": " + problem + " is not implemented: the route never matches");
        return null;
      }
    }
    return new RouteConfig.Match(path, methods, headers, query, without, ignoreCase);
  }

  /**
   * Adds one header matcher to the conditions, following Envoy: an inverted value match holds only when the
   * header is present with a value that does not match; an inverted {@code present_match} flips presence.
   *
   * @return what the mesh cannot express, or null when added
   */
  private static String headerMatch(String key, String field, HeaderMatcher hm, Set<String> methods,
      Map<String, StringMatch> headers, Map<String, StringMatch> without) {
    if (hm.getTreatMissingHeaderAsEmpty()) {
      return "treat_missing_header_as_empty";
    }
    StringMatch sm = header(key, field, hm);
    if (sm == null) {
      return hm.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.STRING_MATCH
          ? "string_match." + hm.getStringMatch().getMatchPatternCase() : hm.getHeaderMatchSpecifierCase().toString();
    }
    String name = hm.getName();
    if (name.equals(":method") && sm.kind() == StringMatch.Kind.EXACT && !hm.getInvertMatch()) {
      methods.add(sm.value());
      return null;
    }
    if (name.startsWith(":")) {
      return "a match on a pseudo-header other than an exact :method";
    }
    boolean present = hm.getHeaderMatchSpecifierCase() != HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH
        || hm.getPresentMatch();
    boolean added;
    if (sm.kind() == StringMatch.Kind.PRESENT) { // the header must be present iff present_match != invert_match
      added = present != hm.getInvertMatch() ? headers.putIfAbsent(name, sm) == null
          : without.putIfAbsent(name, sm) == null;
    } else if (hm.getInvertMatch()) {
      added = headers.putIfAbsent(name, StringMatch.present()) == null && without.putIfAbsent(name, sm) == null;
    } else {
      added = headers.putIfAbsent(name, sm) == null;
    }
    return added ? null : "a second matcher for one header";
  }

  private static StringMatch header(String key, String field, HeaderMatcher hm) {
    return switch (hm.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> StringMatch.exact(hm.getExactMatch());
      case PREFIX_MATCH -> StringMatch.prefix(hm.getPrefixMatch());
      case SUFFIX_MATCH -> StringMatch.regex(".*" + Pattern.quote(hm.getSuffixMatch()));
      case CONTAINS_MATCH -> StringMatch.regex(".*" + Pattern.quote(hm.getContainsMatch()) + ".*");
      case SAFE_REGEX_MATCH -> StringMatch.regex(regex(key, field + ".safe_regex_match.regex", hm.getSafeRegexMatch().getRegex()));
      case PRESENT_MATCH -> StringMatch.present();
      case STRING_MATCH -> string(key, field + ".string_match", hm.getStringMatch());
      default -> null;
    };
  }

  /**
   * A StringMatcher as the mesh's match, or null if the mesh has none for it. {@code ignore_case} becomes an
   * RE2 {@code (?i)} regex over the quoted value; as in Envoy it has no effect on {@code safe_regex}.
   */
  private static StringMatch string(String key, String field, StringMatcher s) {
    String fold = s.getIgnoreCase() ? "(?i)" : "";
    return switch (s.getMatchPatternCase()) {
      case EXACT -> fold.isEmpty() ? StringMatch.exact(s.getExact()) : StringMatch.regex(fold + Pattern.quote(s.getExact()));
      case PREFIX -> fold.isEmpty() ? StringMatch.prefix(s.getPrefix())
          : StringMatch.regex(fold + Pattern.quote(s.getPrefix()) + ".*");
      case SUFFIX -> StringMatch.regex(fold + ".*" + Pattern.quote(s.getSuffix()));
      case CONTAINS -> StringMatch.regex(fold + ".*" + Pattern.quote(s.getContains()) + ".*");
      case SAFE_REGEX -> StringMatch.regex(regex(key, field + ".safe_regex.regex", s.getSafeRegex().getRegex()));
      default -> null;
    };
  }

  /** {@code regex} if RE2 accepts it (Envoy's safe_regex semantics); RE2 syntax is also valid for Java's engine. */
  private static String regex(String key, String field, String regex) {
    String unsupported = RouteRegex.unsupportedConstruct(regex); // before compiling: deep nesting overflows the stack
    if (unsupported != null) {
      throw new XdsInvalidException(key, field, regex.length() > 100 ? regex.substring(0, 100) + "..." : regex,
          "an RE2 regular expression (" + unsupported + " are not supported)");
    }
    try {
      Pattern.compile(regex);
      return regex;
    } catch (PatternSyntaxException e) {
      throw new XdsInvalidException(key, field, regex, "an RE2 regular expression (" + e.getDescription() + ")");
    }
  }
}
