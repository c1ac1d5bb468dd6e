package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.meshclient.api.spi.Setting;
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
  /** Envoy's route timeout when a route action sets none. */
  static final Duration ENVOY_ROUTE_TIMEOUT = Duration.ofSeconds(15);
  /** The mesh's bound of a split weight, {@code mesh.services.<name>.routes[].split.<subset>}. */
  static final int MAX_SPLIT_WEIGHT = 1_000_000;

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
    HTTPFault hostFault = FaultMapper.fault(where, vh.getTypedPerFilterConfigMap(), faultFilter, defaultFault, notes);
    for (int i = 0; i < vh.getRoutesCount(); i++) {
      Route r = vh.getRoutes(i);
      String key = where + ": routes[" + i + "]" + (r.getName().isEmpty() ? "" : " (" + ServerStrings.printable(r.getName()) + ")");
      RouteConfig.Match match = MatchMapper.match(key, r.getMatch(), notes);
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
        Duration timeout = a.hasTimeout() ? Protos.duration(key, "route.timeout", a.getTimeout()) : ENVOY_ROUTE_TIMEOUT;
        if (timeout.isZero() || timeout.compareTo(Setting.MAX_DURATION) > 0) { // beyond the mesh's 596h: none either
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
      HTTPFault fault = FaultMapper.fault(key, r.getTypedPerFilterConfigMap(), faultFilter, hostFault, notes);
      if (fault != null && faultFilter) {
        route = route.withFault(FaultMapper.fault(key, fault, notes));
      }
      if (a.getHashPolicyCount() > 0 && !a.getHashPolicy(0).hasHeader()) {
        notes.add(key + ": route.hash_policy: only header hashing is implemented");
      }
      out.add(route);
    }
    return out;
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
    Map<String, Long> split = new LinkedHashMap<>();
    long sum = 0;
    for (int j = 0; j < w.getClustersCount(); j++) {
      WeightedCluster.ClusterWeight c = w.getClusters(j);
      if (c.getName().isEmpty()) {
        throw new XdsInvalidException(key, "route.weighted_clusters.clusters[" + j + "].name", "''", "a cluster name");
      }
      long weight = Integer.toUnsignedLong(c.getWeight().getValue()); // a uint32
      sum += weight;
      split.merge(subsetOf.apply(c.getName()), weight, Long::sum);
    }
    if (sum <= 0) {
      throw new XdsInvalidException(key, "route.weighted_clusters.clusters[].weight", "sum " + sum, "a sum > 0");
    }
    if (sum > 0xFFFFFFFFL) {
      throw new XdsInvalidException(key, "route.weighted_clusters.clusters[].weight", "sum " + sum, "a sum < 2^32");
    }
    // Envoy's weights go up to 2^32-1, the mesh's to MAX_SPLIT_WEIGHT: scaled down in proportion, above 0 stays above 0
    long max = java.util.Collections.max(split.values());
    Map<String, Integer> out = new LinkedHashMap<>();
    split.forEach((subset, weight) -> out.put(subset, (int) (max <= MAX_SPLIT_WEIGHT || weight == 0 ? weight
        : Math.max(1, Math.round(weight * (double) MAX_SPLIT_WEIGHT / max)))));
    return out;
  }

}
