package io.meshclient.discovery.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshclient.api.spi.Setting;
import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.config.MirrorConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Maps one virtual host's routes onto the mesh's routes. Destinations are clusters, turned into subset
 * names by the function given. Path, method, header (inverted and presence included) and query parameter
 * matches map onto the mesh's {@link RouteConfig.Match}. A route whose match the mesh cannot evaluate
 * (range header matches, runtime fractions, two matchers for one header) never matches, and is reported;
 * a route whose action it cannot take (redirect, direct response, cluster_header) sends its calls to
 * {@link #UNROUTABLE}, so they fail rather than go somewhere else.
 */
final class RouteMapper {
  /** The subset of no instance: calls routed there fail with a NoHealthyInstanceException. */
  static final String UNROUTABLE = "xds-unroutable";
  static final String FAULT_FILTER = "envoy.filters.http.fault";
  /** Envoy's route timeout when a route action sets none. */
  static final Duration ENVOY_ROUTE_TIMEOUT = Duration.ofSeconds(15);

  private RouteMapper() {}

  /**
   * The virtual host whose domains match {@code authorities} best, trying each authority in turn (gRPC's
   * order: exact, then suffix wildcard, then prefix wildcard, longest first); a {@code *} domain last; or null.
   */
  static VirtualHost virtualHost(List<VirtualHost> hosts, List<String> authorities) {
    VirtualHost any = null;
    for (String authority : authorities) {
      VirtualHost best = null;
      int bestRank = Integer.MAX_VALUE;
      int bestLength = -1;
      for (VirtualHost vh : hosts) {
        for (String domain : vh.getDomainsList()) {
          String d = domain.toLowerCase(java.util.Locale.ROOT);
          int rank;
          if (d.equals("*")) {
            any = any == null ? vh : any;
            continue;
          } else if (d.equals(authority)) {
            rank = 0;
          } else if (d.startsWith("*") && authority.endsWith(d.substring(1))) {
            rank = 1;
          } else if (d.endsWith("*") && authority.startsWith(d.substring(0, d.length() - 1))) {
            rank = 2;
          } else {
            continue;
          }
          if (rank < bestRank || rank == bestRank && d.length() > bestLength) {
            best = vh;
            bestRank = rank;
            bestLength = d.length();
          }
        }
      }
      if (best != null) {
        return best;
      }
    }
    return any;
  }

  /** The clusters the routes of {@code vh} send to or mirror to, in order. */
  static Set<String> clusters(VirtualHost vh) {
    Set<String> out = new LinkedHashSet<>();
    for (Route r : vh.getRoutesList()) {
      if (r.hasRoute()) {
        RouteAction a = r.getRoute();
        if (a.hasCluster()) {
          out.add(a.getCluster());
        }
        a.getWeightedClusters().getClustersList().forEach(w -> out.add(w.getName()));
        a.getRequestMirrorPoliciesList().forEach(m -> out.add(m.getCluster()));
      }
    }
    return out;
  }

  /**
   * The routes of {@code vh}.
   *
   * @param where the resource and virtual host, for messages
   * @param rc the route configuration holding {@code vh}, for its header changes; null to validate {@code vh} alone
   * @param subsetOf cluster name to subset name
   * @param faultFilter whether the listener's chain has the fault filter
   * @param inheritedRetry the service's retry policy, which a route's {@code timeout} puts its deadline on when
   *     neither the route nor {@code vh} has a retry policy
   * @param inheritedTimeout the application's timeout for the service, which stands for a route that sets no
   *     {@code timeout}, or null for Envoy's 15 s
   * @param notes receives what is not implemented
   * @throws XdsInvalidException naming the field of the first invalid value
   */
  static List<RouteConfig> routes(String where, RouteConfiguration rc, VirtualHost vh,
      Function<String, String> subsetOf, boolean faultFilter, HTTPFault defaultFault, RetryConfig inheritedRetry,
      Duration inheritedTimeout, List<String> notes) {
    List<RouteConfig> out = new ArrayList<>();
    HTTPFault hostFault = fault(where, vh.getTypedPerFilterConfigMap(), faultFilter, defaultFault, notes);
    for (int i = 0; i < vh.getRoutesCount(); i++) {
      Route r = vh.getRoutes(i);
      String key = where + ": routes[" + i + "]" + (r.getName().isEmpty() ? "" : " (" + r.getName() + ")");
      RouteConfig.Match match = match(key, r.getMatch(), notes);
      if (match == null) {
        continue;
      }
      if (r.hasRoute() && RouteTransforms.unsupportedPathRewrite(key, r.getRoute(), notes)) {
        out.add(RouteConfig.to(match, UNROUTABLE).withName(r.getName().isEmpty() ? "route-" + i : r.getName()));
        continue;
      }
      if (!r.hasRoute()) {
        notes.add(key + ": " + r.getActionCase() + " is not implemented: its calls fail");
        out.add(RouteConfig.to(match, UNROUTABLE).withName("route-" + i));
        continue;
      }
      RouteAction a = r.getRoute();
      RouteConfig route = switch (a.getClusterSpecifierCase()) {
        case CLUSTER -> {
          if (a.getCluster().isEmpty()) {
            throw new XdsInvalidException(key, "route.cluster", "''", "a cluster name");
          }
          yield RouteConfig.to(match, subsetOf.apply(a.getCluster()));
        }
        case WEIGHTED_CLUSTERS -> RouteConfig.split(match, split(key, a.getWeightedClusters(), subsetOf));
        default -> {
          notes.add(key + ": route." + a.getClusterSpecifierCase() + " is not implemented: its calls fail");
          yield RouteConfig.to(match, UNROUTABLE);
        }
      };
      route = route.withName(r.getName().isEmpty() ? "route-" + i : r.getName());
      if (a.hasRetryPolicy()) {
        route = route.withRetry(RetryMapper.retry(key + ": route.retry_policy", a.getRetryPolicy(), notes));
      } else if (vh.hasRetryPolicy()) {
        route = route.withRetry(RetryMapper.retry(where + ": retry_policy", vh.getRetryPolicy(), notes));
      }
      if (a.hasTimeout() || inheritedTimeout == null) {
        // Envoy's route timeout (15 s when unset) bounds the whole call, across retries, until the response body
        // has arrived: the call deadline, and each read's timeout (which the deadline would bound anyway). 0s turns
        // it off. Unset, the application's own timeout for the service, when it gives one, stands instead (as the
        // mesh does for Istio's routes).
        Duration timeout = a.hasTimeout() ? Protos.duration(a.getTimeout()) : ENVOY_ROUTE_TIMEOUT;
        if (timeout.isNegative()) {
          throw new XdsInvalidException(key, "route.timeout", timeout, ">= 0s");
        } else if (timeout.isZero()) {
          route = route.withTimeout(Setting.MAX_DURATION);
          if (route.retry() != null) {
            route = route.withRetry(route.retry().withDeadline(null));
          }
        } else {
          route = route.withTimeout(timeout)
              .withRetry((route.retry() != null ? route.retry() : inheritedRetry).withDeadline(timeout));
        }
      }
      if (a.getRequestMirrorPoliciesCount() > 0) {
        var m = a.getRequestMirrorPolicies(0);
        double percent = m.hasRuntimeFraction() ? Protos.percent(m.getRuntimeFraction().getDefaultValue()) : 100;
        route = route.withMirror(MirrorConfig.toSubset(subsetOf.apply(m.getCluster()), percent));
        if (a.getRequestMirrorPoliciesCount() > 1) {
          notes.add(key + ": route.request_mirror_policies: only the first is implemented");
        }
      }
      route = route.withHeaders(
          RouteTransforms.headers(key, RouteTransforms.Direction.REQUEST, rc, vh, r, notes),
          RouteTransforms.headers(key, RouteTransforms.Direction.RESPONSE, rc, vh, r, notes));
      RouteConfig.Rewrite rewrite = RouteTransforms.rewrite(key, a, notes);
      if (rewrite != null) {
        if (rewrite.uri() != null && match.path() == null) { // prefix "" or "/": the matched prefix is "/"
          route = new RouteConfig(route.name(), new RouteConfig.Match(StringMatch.prefix("/"), match.methods(),
              match.headers(), match.queryParams(), match.withoutHeaders(), match.ignoreUriCase()),
              route.destinations(), route.rateLimit(), route.timeout(), route.retry(), route.fault(), route.mirror(),
              route.connectTimeout(), route.requestHeaders(), route.responseHeaders(), null, route.hedge());
        }
        route = route.withRewrite(rewrite);
      }
      if (a.hasWeightedClusters()) {
        for (int j = 0; j < a.getWeightedClusters().getClustersCount(); j++) {
          var c = a.getWeightedClusters().getClusters(j);
          if (c.getRequestHeadersToAddCount() + c.getRequestHeadersToRemoveCount() + c.getResponseHeadersToAddCount()
              + c.getResponseHeadersToRemoveCount() + c.getTypedPerFilterConfigCount() > 0 || c.hasHostRewriteLiteral()) {
            notes.add(key + ": route.weighted_clusters.clusters[" + j + "]: per-cluster header changes, host rewrite "
                + "and typed_per_filter_config are not implemented");
          }
        }
      }
      HTTPFault fault = fault(key, r.getTypedPerFilterConfigMap(), faultFilter, hostFault, notes);
      if (fault != null && faultFilter) {
        route = route.withFault(fault(key, fault, notes));
      }
      if (a.getHashPolicyCount() > 0 && !a.getHashPolicy(0).hasHeader()) {
        notes.add(key + ": route.hash_policy: only header hashing is implemented");
      }
      out.add(route);
    }
    return out;
  }

  /**
   * The fault filter's per-route config among {@code configs}, else {@code inherited}; any other filter's
   * config is reported.
   */
  private static HTTPFault fault(String key, Map<String, com.google.protobuf.Any> configs, boolean faultFilter,
      HTTPFault inherited, List<String> notes) {
    HTTPFault fault = inherited;
    for (var e : configs.entrySet()) {
      if (e.getKey().equals(FAULT_FILTER) && faultFilter) {
        try {
          fault = e.getValue().unpack(HTTPFault.class);
        } catch (InvalidProtocolBufferException ex) {
          throw new XdsInvalidException(key, "typed_per_filter_config." + e.getKey(), "undecodable", "an HTTPFault");
        }
      } else {
        notes.add(key + ": typed_per_filter_config." + e.getKey() + " is not implemented");
      }
    }
    return fault;
  }

  /** The header name of the first header hash policy of {@code vh}'s routes, or null. */
  static String hashHeader(VirtualHost vh) {
    for (Route r : vh.getRoutesList()) {
      for (RouteAction.HashPolicy p : r.getRoute().getHashPolicyList()) {
        if (p.hasHeader()) {
          return p.getHeader().getHeaderName();
        }
      }
    }
    return null;
  }

  private static Map<String, Integer> split(String key, WeightedCluster w, Function<String, String> subsetOf) {
    Map<String, Integer> split = new LinkedHashMap<>();
    long sum = 0;
    for (int j = 0; j < w.getClustersCount(); j++) {
      WeightedCluster.ClusterWeight c = w.getClusters(j);
      if (c.getName().isEmpty()) {
        throw new XdsInvalidException(key, "route.weighted_clusters.clusters[" + j + "].name", "''", "a cluster name");
      }
      int weight = c.getWeight().getValue();
      sum += weight;
      split.merge(subsetOf.apply(c.getName()), weight, Integer::sum);
    }
    if (sum <= 0) {
      throw new XdsInvalidException(key, "route.weighted_clusters.clusters[].weight", "sum " + sum, "a sum > 0");
    }
    if (sum > 0xFFFFFFFFL) {
      throw new XdsInvalidException(key, "route.weighted_clusters.clusters[].weight", "sum " + sum, "a sum < 2^32");
    }
    return split;
  }

  private static RouteConfig.Match match(String key, RouteMatch m, List<String> notes) {
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
      String field = "match.query_parameters[" + q + "] (" + qm.getName() + ")";
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
      String field = "match.headers[" + h + "] (" + hm.getName() + ")";
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
    try {
      Pattern.compile(regex);
      return regex;
    } catch (PatternSyntaxException e) {
      throw new XdsInvalidException(key, field, regex, "an RE2 regular expression (" + e.getDescription() + ")");
    }
  }

  private static FaultConfig fault(String key, HTTPFault f, List<String> notes) {
    double delayPercent = 0;
    java.time.Duration delay = null;
    if (f.hasDelay()) {
      if (f.getDelay().hasFixedDelay()) {
        delay = Protos.duration(f.getDelay().getFixedDelay());
        delayPercent = Protos.percent(f.getDelay().getPercentage());
      } else {
        notes.add(key + ": fault.delay.header_delay is not implemented");
      }
    }
    double abortPercent = 0;
    int status = 0;
    if (f.hasAbort()) {
      if (f.getAbort().hasHttpStatus()) {
        status = f.getAbort().getHttpStatus();
        if (status < 200 || status > 599) {
          throw new XdsInvalidException(key, "fault.abort.http_status", status, "200..599");
        }
        abortPercent = Protos.percent(f.getAbort().getPercentage());
      } else {
        notes.add(key + ": fault.abort: only http_status is implemented");
      }
    }
    if (f.getHeadersCount() > 0 || f.hasMaxActiveFaults() || f.hasResponseRateLimit()) {
      notes.add(key + ": fault.headers/max_active_faults/response_rate_limit are not implemented");
    }
    return new FaultConfig(delayPercent, delay, abortPercent, status, null);
  }
}
