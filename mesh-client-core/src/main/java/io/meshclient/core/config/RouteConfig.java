package io.meshclient.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One routing rule of a service (Istio's VirtualService http route): when {@link #match()} fits a
 * request, send it to one destination or split it by weight across {@link #destinations()}, each a subset
 * of this service or of another, with the route's header changes and URI rewrite applied.
 *
 * <p>Route policies (timeout, retry, fault, mirror, route rate limit, header changes, rewrite) come from
 * the route; balancer, outlier detection, circuit breaker, concurrency cap, TLS and service rate limit come
 * from the destination's service.
 *
 * @param name a name for metrics and diagnostics; {@code route-<index>} when not set
 * @param match the conditions; an empty match fits every request
 * @param destinations where matching requests go, with relative weights, in configuration order
 * @param rateLimit a limit for requests taking this route, on top of the service's, or null
 * @param timeout the read and write timeout of each attempt of this route's calls, overriding the service's,
 *     or null
 * @param retry a retry policy for this route, overriding the service's, or null
 * @param fault faults to inject into this route's requests, or null
 * @param mirror a copy of a share of this route's requests to send elsewhere, or null
 * @param connectTimeout the connect timeout of this route's calls, overriding the service's, or null
 * @param requestHeaders changes to the request's headers ({@link HeaderOps#NONE} for none)
 * @param responseHeaders changes to the response's headers ({@link HeaderOps#NONE} for none)
 * @param rewrite a rewrite of the path and/or authority, or null
 * @param hedge hedged requests for this route, or null
 */
public record RouteConfig(
    String name,
    Match match,
    List<Destination> destinations,
    RateLimitConfig rateLimit,
    Duration timeout,
    RetryConfig retry,
    FaultConfig fault,
    MirrorConfig mirror,
    Duration connectTimeout,
    HeaderOps requestHeaders,
    HeaderOps responseHeaders,
    Rewrite rewrite,
    HedgeConfig hedge) {

  public RouteConfig {
    match = match == null ? Match.ANY : match;
    destinations = destinations == null ? List.of() : List.copyOf(destinations);
    requestHeaders = requestHeaders == null ? HeaderOps.NONE : requestHeaders;
    responseHeaders = responseHeaders == null ? HeaderOps.NONE : responseHeaders;
  }

  /** A route that sends matching requests to one subset of its own service. */
  public static RouteConfig to(Match match, String subset) {
    return to(match, List.of(new Destination(null, Objects.requireNonNull(subset, "subset"), 1)));
  }

  /** A route that splits matching requests by weight across subsets, such as {@code Map.of("v1", 80, "v3", 20)}. */
  public static RouteConfig split(Match match, Map<String, Integer> weights) {
    List<Destination> out = new ArrayList<>();
    weights.forEach((subset, weight) -> out.add(new Destination(null, subset, weight == null ? -1 : weight)));
    return to(match, out);
  }

  /** A route to a weighted list of destinations, each a subset of this service or of another. */
  public static RouteConfig to(Match match, List<Destination> destinations) {
    return new RouteConfig(null, match, destinations, null, null, null, null, null, null, null, null, null, null);
  }

  /** The route's name, or {@code route-<index>} (its place in its service's routes) when it has none. */
  public String nameAt(int index) {
    return name != null ? name : "route-" + index;
  }

  /**
   * The subset of this route's own service that every matching request goes to, when the route has one
   * destination and it is in its own service; else null.
   */
  public String to() {
    return destinations.size() == 1 && destinations.get(0).service() == null ? destinations.get(0).subset() : null;
  }

  /**
   * Subset name to weight, when every destination is a named subset of the route's own service; else
   * empty.
   */
  public Map<String, Integer> split() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Destination d : destinations) {
      if (d.service() != null || d.subset() == null) {
        return Map.of();
      }
      out.merge(d.subset(), d.weight(), Integer::sum);
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * One destination of a route.
   *
   * @param service the service, or null for the route's own
   * @param subset the subset of that service, or null for all its instances
   * @param weight the relative weight, at least 0
   */
  public record Destination(String service, String subset, int weight) {
    /** All instances of another service, or a subset of it, with weight 1. */
    public static Destination of(String service, String subset) {
      return new Destination(service, subset, 1);
    }

    /** Shows {@code service/subset} (either part may be absent) and the weight. */
    @Override
    public String toString() {
      String where = service == null ? (subset == null ? "(all)" : subset)
          : subset == null ? service : service + "/" + subset;
      return where + "=" + weight;
    }
  }

  /**
   * Header changes, applied in Envoy's order: remove, then set (replacing every value), then add (one more
   * value). Values set on credential headers are never shown.
   *
   * @param set header name to the value replacing any present
   * @param add header name to a value appended
   * @param remove header names removed
   */
  public record HeaderOps(Map<String, String> set, Map<String, String> add, List<String> remove) {
    /** No change. */
    public static final HeaderOps NONE = new HeaderOps(Map.of(), Map.of(), List.of());

    public HeaderOps {
      set = set == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(set));
      add = add == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(add));
      remove = remove == null ? List.of() : List.copyOf(remove);
    }

    /** Whether this changes nothing. */
    public boolean isEmpty() {
      return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }

    /** Shows the changes, with the values of credential headers redacted. */
    @Override
    public String toString() {
      return "HeaderOps{set=" + shown(set) + ", add=" + shown(add) + ", remove=" + remove + "}";
    }

    private static Map<String, String> shown(Map<String, String> values) {
      Map<String, String> out = new LinkedHashMap<>();
      values.forEach((name, value) -> out.put(name, SecretKeys.isSecret(".headers." + name) ? "<redacted>" : value));
      return out;
    }
  }

  /**
   * A rewrite of the request before it is sent (Istio's {@code HTTPRewrite}).
   *
   * @param uri the path replacing the matched prefix when the route matched the path by prefix, else the
   *     whole path; null to keep the path
   * @param authority the {@code Host} header sent, or null to keep it
   */
  public record Rewrite(String uri, String authority) {}

  /** Returns a copy with a name. */
  public RouteConfig withName(String newName) {
    return new RouteConfig(newName, match, destinations, rateLimit, timeout, retry, fault, mirror, connectTimeout,
        requestHeaders, responseHeaders, rewrite, hedge);
  }

  /** Returns a copy with a route rate limit. */
  public RouteConfig withRateLimit(RateLimitConfig limit) {
    return new RouteConfig(name, match, destinations, limit, timeout, retry, fault, mirror, connectTimeout,
        requestHeaders, responseHeaders, rewrite, hedge);
  }

  /** Returns a copy with a route timeout. */
  public RouteConfig withTimeout(Duration newTimeout) {
    return new RouteConfig(name, match, destinations, rateLimit, newTimeout, retry, fault, mirror, connectTimeout,
        requestHeaders, responseHeaders, rewrite, hedge);
  }

  /** Returns a copy with a route retry policy. */
  public RouteConfig withRetry(RetryConfig policy) {
    return new RouteConfig(name, match, destinations, rateLimit, timeout, policy, fault, mirror, connectTimeout,
        requestHeaders, responseHeaders, rewrite, hedge);
  }

  /** Returns a copy with a route connect timeout. */
  public RouteConfig withConnectTimeout(Duration timeoutToConnect) {
    return new RouteConfig(name, match, destinations, rateLimit, timeout, retry, fault, mirror, timeoutToConnect,
        requestHeaders, responseHeaders, rewrite, hedge);
  }

  /** Returns a copy that mirrors requests. */
  public RouteConfig withMirror(MirrorConfig copies) {
    return new RouteConfig(name, match, destinations, rateLimit, timeout, retry, fault, copies, connectTimeout,
        requestHeaders, responseHeaders, rewrite, hedge);
  }

  /** Returns a copy that injects faults. */
  public RouteConfig withFault(FaultConfig faults) {
    return new RouteConfig(name, match, destinations, rateLimit, timeout, retry, faults, mirror, connectTimeout,
        requestHeaders, responseHeaders, rewrite, hedge);
  }

  /** Returns a copy that changes the headers of requests and responses. */
  public RouteConfig withHeaders(HeaderOps request, HeaderOps response) {
    return new RouteConfig(name, match, destinations, rateLimit, timeout, retry, fault, mirror, connectTimeout,
        request, response, rewrite, hedge);
  }

  /** Returns a copy that hedges requests. */
  public RouteConfig withHedge(HedgeConfig hedging) {
    return new RouteConfig(name, match, destinations, rateLimit, timeout, retry, fault, mirror, connectTimeout,
        requestHeaders, responseHeaders, rewrite, hedging);
  }

  /** Returns a copy that rewrites the path and/or authority. */
  public RouteConfig withRewrite(Rewrite newRewrite) {
    return new RouteConfig(name, match, destinations, rateLimit, timeout, retry, fault, mirror, connectTimeout,
        requestHeaders, responseHeaders, newRewrite, hedge);
  }

  /**
   * The conditions of a route; all given conditions must hold (Istio's {@code HTTPMatchRequest}).
   *
   * @param path how the path must match, or null for any path
   * @param methods the allowed methods in upper case; empty allows any
   * @param headers header name (case-insensitive) to how its first value must match
   * @param queryParams query parameter name to how its first (decoded) value must match
   * @param withoutHeaders header name to a match that must not hold: a request whose header matches does
   *     not take the route (Istio's {@code withoutHeaders})
   * @param ignoreUriCase whether exact and prefix path matches ignore case (regex matches never do, as in
   *     Istio)
   * @param port the port the caller must have addressed ({@link io.meshclient.api.RequestContext#port}: the request
   *     URL's, 80 or 443 when it names none), as Istio's {@code port} matches the service port a sidecar's caller
   *     addressed; 0 for any port
   */
  public record Match(StringMatch path, Set<String> methods, Map<String, StringMatch> headers,
      Map<String, StringMatch> queryParams, Map<String, StringMatch> withoutHeaders, boolean ignoreUriCase,
      int port) {
    /** Matches every request. */
    public static final Match ANY = new Match(null, Set.of(), Map.of());

    /**
     * Checks the port.
     *
     * @throws io.meshclient.api.ConfigurationException unless {@code port} is 0 (any) or 1 to 65535
     */
    public Match {
      if (port < 0 || port > 65535) {
        throw io.meshclient.api.ConfigurationException.of("match.port", port, "0 (any port) or 1 to 65535");
      }
      methods = methods == null ? Set.of() : Set.copyOf(methods);
      headers = marked(headers);
      queryParams = queryParams == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(queryParams));
      withoutHeaders = marked(withoutHeaders);
    }

    /** Conditions on the path, methods and headers only. */
    public Match(StringMatch path, Set<String> methods, Map<String, StringMatch> headers) {
      this(path, methods, headers, Map.of(), Map.of(), false);
    }

    /** Conditions on anything but the port. */
    public Match(StringMatch path, Set<String> methods, Map<String, StringMatch> headers,
        Map<String, StringMatch> queryParams, Map<String, StringMatch> withoutHeaders, boolean ignoreUriCase) {
      this(path, methods, headers, queryParams, withoutHeaders, ignoreUriCase, 0);
    }

    /** Values matched against credential headers are never shown. */
    private static Map<String, StringMatch> marked(Map<String, StringMatch> headers) {
      Map<String, StringMatch> marked = new LinkedHashMap<>();
      if (headers != null) {
        headers.forEach((name, m) -> marked.put(name, m != null && SecretKeys.isSecret(".headers." + name)
            ? m.asSecret() : m));
      }
      return Collections.unmodifiableMap(marked);
    }

    /** Matches requests whose header {@code name} matches. */
    public static Match header(String name, StringMatch match) {
      return new Match(null, Set.of(), Map.of(name, match));
    }

    /** Matches requests whose path matches. */
    public static Match path(StringMatch match) {
      return new Match(match, Set.of(), Map.of());
    }

    /** Shows the conditions, with the values matched against credential headers redacted. */
    @Override
    public String toString() {
      StringBuilder out = new StringBuilder("Match{");
      if (path != null) {
        out.append("path=").append(path).append(", ");
      }
      if (!methods.isEmpty()) {
        out.append("methods=").append(new java.util.TreeSet<>(methods)).append(", ");
      }
      if (ignoreUriCase) {
        out.append("ignoreUriCase, ");
      }
      if (port != 0) {
        out.append("port=").append(port).append(", ");
      }
      out.append("headers=").append(headers);
      if (!queryParams.isEmpty()) {
        out.append(", queryParams=").append(queryParams);
      }
      if (!withoutHeaders.isEmpty()) {
        out.append(", withoutHeaders=").append(withoutHeaders);
      }
      return out.append("}").toString();
    }

    /** Matches requests with one of the methods. */
    public static Match methods(List<String> methods) {
      return new Match(null, Set.copyOf(methods), Map.of());
    }
  }
}
