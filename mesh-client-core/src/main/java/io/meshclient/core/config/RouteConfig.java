package io.meshclient.core.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One routing rule of a service (Istio's VirtualService http route): when {@link #match()} fits a
 * request, send it to one subset ({@link #to()}) or split it by weight across subsets ({@link #split()}).
 *
 * @param name a name for metrics and diagnostics; {@code route-<index>} when not set
 * @param match the conditions; an empty match fits every request
 * @param to the destination subset, or null when {@code split} is used
 * @param split subset name to relative weight, in configuration order; empty when {@code to} is used
 * @param rateLimit a limit for requests taking this route, on top of the service's, or null
 * @param timeout a call timeout for this route, overriding the service's, or null
 * @param retry a retry policy for this route, overriding the service's, or null
 * @param fault faults to inject into this route's requests, or null
 * @param mirror a copy of a share of this route's requests to send elsewhere, or null
 * @param connectTimeout the connect timeout of this route's calls, overriding the service's, or null
 */
public record RouteConfig(
    String name,
    Match match,
    String to,
    Map<String, Integer> split,
    RateLimitConfig rateLimit,
    Duration timeout,
    RetryConfig retry,
    FaultConfig fault,
    MirrorConfig mirror,
    Duration connectTimeout) {

  public RouteConfig {
    match = match == null ? Match.ANY : match;
    split = split == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(split));
  }

  /** A route that sends matching requests to one subset. */
  public static RouteConfig to(Match match, String subset) {
    return new RouteConfig(null, match, Objects.requireNonNull(subset, "subset"), Map.of(), null, null, null, null, null, null);
  }

  /** A route that splits matching requests by weight, such as {@code Map.of("v1", 80, "v3", 20)}. */
  public static RouteConfig split(Match match, Map<String, Integer> weights) {
    return new RouteConfig(null, match, null, weights, null, null, null, null, null, null);
  }

  /**
   * A route to a weighted list of destinations. Each names a subset of this route's own service ({@code
   * service} null); a route to another service is refused until cross-service routes are implemented.
   *
   * @throws io.meshclient.api.ConfigurationException if a destination names another service
   */
  public static RouteConfig to(Match match, List<Destination> destinations) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (Destination d : destinations) {
      if (d.service() != null) {
        throw io.meshclient.api.ConfigurationException.of("destination.service", d.service(),
            "a subset of the route's own service (routes to another service are not implemented yet)");
      }
      weights.merge(d.subset(), d.weight(), Integer::sum);
    }
    return split(match, weights);
  }

  /**
   * Where a matching request goes, as a weighted list of (service, subset): {@code to} is one destination
   * of weight 1, {@code split} one per subset; {@code service} is null for the route's own service.
   */
  public List<Destination> destinations() {
    if (to != null) {
      return List.of(new Destination(null, to, 1));
    }
    List<Destination> out = new java.util.ArrayList<>();
    split.forEach((subset, weight) -> out.add(new Destination(null, subset, weight)));
    return List.copyOf(out);
  }

  /**
   * One destination of a route.
   *
   * @param service the service, or null for the route's own
   * @param subset the subset of that service
   * @param weight the relative weight, at least 0
   */
  public record Destination(String service, String subset, int weight) {
    public Destination {
      Objects.requireNonNull(subset, "subset");
    }
  }

  /** Returns a copy with a name. */
  public RouteConfig withName(String newName) {
    return new RouteConfig(newName, match, to, split, rateLimit, timeout, retry, fault, mirror, connectTimeout);
  }

  /** Returns a copy with a route rate limit. */
  public RouteConfig withRateLimit(RateLimitConfig limit) {
    return new RouteConfig(name, match, to, split, limit, timeout, retry, fault, mirror, connectTimeout);
  }

  /** Returns a copy with a route timeout. */
  public RouteConfig withTimeout(Duration newTimeout) {
    return new RouteConfig(name, match, to, split, rateLimit, newTimeout, retry, fault, mirror, connectTimeout);
  }

  /** Returns a copy with a route retry policy. */
  public RouteConfig withRetry(RetryConfig policy) {
    return new RouteConfig(name, match, to, split, rateLimit, timeout, policy, fault, mirror, connectTimeout);
  }

  /** Returns a copy with a route connect timeout. */
  public RouteConfig withConnectTimeout(Duration timeoutToConnect) {
    return new RouteConfig(name, match, to, split, rateLimit, timeout, retry, fault, mirror, timeoutToConnect);
  }

  /** Returns a copy that mirrors requests. */
  public RouteConfig withMirror(MirrorConfig copies) {
    return new RouteConfig(name, match, to, split, rateLimit, timeout, retry, fault, copies, connectTimeout);
  }

  /** Returns a copy that injects faults. */
  public RouteConfig withFault(FaultConfig faults) {
    return new RouteConfig(name, match, to, split, rateLimit, timeout, retry, faults, mirror, connectTimeout);
  }

  /**
   * The conditions of a route; all given conditions must hold.
   *
   * @param path how the path must match, or null for any path
   * @param methods the allowed methods in upper case; empty allows any
   * @param headers header name (case-insensitive) to how its first value must match
   */
  public record Match(StringMatch path, Set<String> methods, Map<String, StringMatch> headers) {
    /** Matches every request. */
    public static final Match ANY = new Match(null, Set.of(), Map.of());

    public Match {
      methods = methods == null ? Set.of() : Set.copyOf(methods);
      Map<String, StringMatch> marked = new LinkedHashMap<>();
      if (headers != null) { // values matched against credential headers are never shown
        headers.forEach((name, m) -> marked.put(name, m != null && SecretKeys.isSecret(".headers." + name)
            ? m.asSecret() : m));
      }
      headers = java.util.Collections.unmodifiableMap(marked);
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
      out.append("headers={");
      String separator = "";
      for (Map.Entry<String, StringMatch> e : headers.entrySet()) {
        out.append(separator).append(e.getKey()).append('=').append(e.getValue());
        separator = ", ";
      }
      return out.append("}}").toString();
    }

    /** Matches requests with one of the methods. */
    public static Match methods(List<String> methods) {
      return new Match(null, Set.copyOf(methods), Map.of());
    }
  }
}
