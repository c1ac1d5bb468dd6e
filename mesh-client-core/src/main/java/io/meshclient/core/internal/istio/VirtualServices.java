package io.meshclient.core.internal.istio;

import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.config.MirrorConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps a VirtualService's {@code http} routes onto {@link RouteConfig}s of each service in its {@code
 * hosts}. Several {@code match} blocks of one route are ORed: each becomes a route of its own with the same
 * destinations and policies, in order, so the first that holds wins as in Istio.
 */
final class VirtualServices {
  /** Envoy's {@code retryOn} words for gRPC statuses: they never apply to the HTTP calls the mesh makes. */
  static final Set<String> GRPC_RETRY_ON = Set.of("cancelled", "deadline-exceeded", "internal", "resource-exhausted",
      "unavailable");

  private VirtualServices() {}

  /** A destination as written: the service its host names, the subset, the weight, and where it was written. */
  record Target(String service, String subset, int weight, String path) {}

  /** The routes of one VirtualService, before they are bound to each of its hosts. */
  record Mapped(IstioResource resource, List<String> services, List<MappedRoute> routes) {}

  /**
   * One route: its configuration with destinations naming services, to be made relative per host; {@code path}
   * is its {@code http[i]}, {@code matchPath} its {@code http[i].match[k]} (null without a match); {@code
   * deadline} the call deadline its {@code timeout} sets on whichever retry policy applies (its own or the
   * service's), or null.
   */
  record MappedRoute(RouteConfig config, List<Target> targets, String mirrorService, String mirrorSubset,
      double mirrorPercent, String path, String matchPath, Duration deadline) {}

  /** Maps {@code resource}, or returns null if it does not apply to the mesh (gateways without {@code mesh}). */
  static Mapped map(IstioResource resource, SpecNode spec, IstioHosts hosts) {
    spec.fields("hosts", "gateways", "http", "tls", "tcp", "exportTo");
    List<String> gateways = spec.strings("gateways");
    if (!gateways.isEmpty() && !gateways.contains("mesh")) {
      spec.loading.ignored.add(resource.label() + " (" + resource.file() + "): its gateways " + gateways
          + " omit 'mesh', so it does not apply to sidecars, nor to this mesh");
      return null;
    }
    spec.unsupported("tls", "TLS (SNI) routes: the mesh routes HTTP only");
    spec.unsupported("tcp", "TCP routes: the mesh routes HTTP only");
    spec.unsupported("exportTo", "visibility across namespaces: every resource read applies to this application");
    List<String> services = new ArrayList<>();
    List<String> rawHosts = spec.strings("hosts");
    if (rawHosts.isEmpty()) {
      spec.loading.problem(resource, spec.key("hosts"), "missing", "at least one host");
    }
    for (int i = 0; i < rawHosts.size(); i++) {
      String host = rawHosts.get(i);
      if (IstioHosts.isWildcard(host)) {
        spec.loading.problem(resource, spec.key("hosts") + "[" + i + "]", host, "a host without wildcards (the "
            + "mesh routes named services)");
      } else {
        services.add(hosts.service(host, resource.namespace()));
      }
    }
    List<MappedRoute> routes = new ArrayList<>();
    for (SpecNode http : spec.list("http")) {
      routes.addAll(route(http, resource, hosts));
    }
    return new Mapped(resource, services, routes);
  }

  private static List<MappedRoute> route(SpecNode http, IstioResource resource, IstioHosts hosts) {
    http.fields("name", "match", "route", "redirect", "directResponse", "delegate", "rewrite", "timeout", "retries",
        "fault", "mirror", "mirrors", "mirrorPercentage", "mirrorPercent", "mirror_percent", "corsPolicy", "headers");
    http.unsupported("corsPolicy", "CORS is the browser's and the server's business; the mesh adds no CORS headers");
    for (String action : List.of("redirect", "directResponse", "delegate")) {
      if (http.has(action)) {
        http.unsupported(action, "the mesh only forwards requests; this route is left out, so requests it would "
            + "match fall through to the next route");
        return List.of();
      }
    }
    List<SpecNode> destinations = http.list("route");
    if (destinations.isEmpty()) {
      http.loading.problem(resource, http.key("route"), "missing", "at least one destination");
      return List.of();
    }
    List<Target> targets = new ArrayList<>();
    RouteConfig.HeaderOps destinationRequest = null;
    RouteConfig.HeaderOps destinationResponse = null;
    boolean refusedWeight = false; // then a sum of 0 is a follow-on of the problem reported
    for (SpecNode d : destinations) {
      d.fields("destination", "weight", "headers");
      SpecNode dest = d.child("destination");
      Integer weight = d.integer("weight", 0, 1_000_000);
      refusedWeight |= weight == null && d.has("weight");
      if (dest == null) {
        http.loading.problem(resource, d.key("destination"), "missing", "a destination with a host");
        continue;
      }
      Target t = destination(dest, resource, hosts, weight == null ? (destinations.size() == 1 ? 100 : 0) : weight);
      if (t != null) {
        targets.add(t);
      }
      SpecNode headers = d.child("headers");
      if (headers != null) {
        if (destinations.size() > 1) {
          d.unsupported("headers", "header changes per destination of a split; put them on the route");
        } else {
          headers.fields("request", "response");
          destinationRequest = headerOps(headers.child("request"));
          destinationResponse = headerOps(headers.child("response"));
        }
      }
    }
    long sum = targets.stream().mapToLong(Target::weight).sum();
    if (!targets.isEmpty() && targets.size() == destinations.size() && sum <= 0 && !refusedWeight) {
      http.loading.problem(resource, http.key("route"), "weights summing to 0", "weights summing to more than 0");
    }
    RouteConfig base = RouteConfig.to(RouteConfig.Match.ANY, List.of());
    String name = http.string("name");
    if (name != null) {
      base = base.withName(name);
    }
    // Envoy's route timeout bounds the whole call, across retries, until the response body has arrived: the
    // call deadline. It bounds each read too, which the deadline would anyway; 0s turns both off.
    Duration timeout = http.duration("timeout", Duration.ZERO);
    if (timeout != null) {
      base = base.withTimeout(timeout.isZero() ? io.meshclient.api.spi.Setting.MAX_DURATION : timeout);
    }
    Duration deadline = timeout == null || timeout.isZero() ? null : timeout;
    SpecNode retries = http.child("retries");
    if (retries != null) {
      base = base.withRetry(retry(retries));
    }
    SpecNode fault = http.child("fault");
    if (fault != null) {
      FaultConfig f = fault(fault);
      if (f != null) {
        base = base.withFault(f);
      }
    }
    SpecNode headers = http.child("headers");
    RouteConfig.HeaderOps request = null;
    RouteConfig.HeaderOps response = null;
    if (headers != null) {
      headers.fields("request", "response");
      request = headerOps(headers.child("request"));
      response = headerOps(headers.child("response"));
    }
    request = merge(request, destinationRequest);
    response = merge(response, destinationResponse);
    if (request != null || response != null) {
      base = base.withHeaders(request, response);
    }
    SpecNode rewrite = http.child("rewrite");
    if (rewrite != null) {
      rewrite.fields("uri", "authority", "uriRegexRewrite");
      rewrite.unsupported("uriRegexRewrite", "regex rewrites; use uri (prefix rewrite)");
      String uri = rewrite.string("uri");
      String authority = rewrite.string("authority");
      if (uri != null || authority != null) {
        base = base.withRewrite(new RouteConfig.Rewrite(uri, authority));
      }
    }
    // mirror
    String mirrorService = null;
    String mirrorSubset = null;
    double mirrorPercent = 100;
    SpecNode mirror = http.child("mirror");
    List<SpecNode> mirrors = http.list("mirrors");
    SpecNode percentNode = http.child("mirrorPercentage");
    if (percentNode != null) {
      mirrorPercent = percentage(percentNode);
    } else if (http.has("mirrorPercent") || http.has("mirror_percent")) {
      Integer p = http.integer(http.has("mirrorPercent") ? "mirrorPercent" : "mirror_percent", 0, 100);
      mirrorPercent = p == null ? 100 : p;
    }
    if (mirror == null && !mirrors.isEmpty()) {
      SpecNode first = mirrors.get(0);
      first.fields("destination", "percentage");
      mirror = first.child("destination");
      SpecNode p = first.child("percentage");
      mirrorPercent = p == null ? 100 : percentage(p);
      for (int i = 1; i < mirrors.size(); i++) {
        http.loading.unsupported(resource, mirrors.get(i).path, "a second mirror: the mesh mirrors to one "
            + "destination per route (the first)");
      }
    }
    if (mirror != null) {
      Target m = destination(mirror, resource, hosts, 1);
      if (m != null) {
        mirrorService = m.service();
        mirrorSubset = m.subset();
      }
    }
    List<MappedRoute> out = new ArrayList<>();
    List<SpecNode> matches = http.list("match");
    if (matches.isEmpty()) {
      out.add(new MappedRoute(base, targets, mirrorService, mirrorSubset, mirrorPercent, http.path, null,
          deadline));
    }
    for (SpecNode match : matches) {
      RouteConfig.Match m = match(match);
      if (m != null) {
        out.add(new MappedRoute(withMatch(base, m), targets, mirrorService, mirrorSubset, mirrorPercent, http.path,
            match.path, deadline));
      }
    }
    return out;
  }

  private static RouteConfig withMatch(RouteConfig r, RouteConfig.Match match) {
    return new RouteConfig(r.name(), match, r.destinations(), r.rateLimit(), r.timeout(), r.retry(), r.fault(),
        r.mirror(), r.connectTimeout(), r.requestHeaders(), r.responseHeaders(), r.rewrite(), r.hedge());
  }

  private static RouteConfig.HeaderOps merge(RouteConfig.HeaderOps route, RouteConfig.HeaderOps destination) {
    if (destination == null) {
      return route;
    }
    if (route == null) {
      return destination;
    }
    Map<String, String> set = new LinkedHashMap<>(route.set());
    set.putAll(destination.set());
    Map<String, String> add = new LinkedHashMap<>(route.add());
    add.putAll(destination.add());
    List<String> remove = new ArrayList<>(route.remove());
    remove.addAll(destination.remove());
    return new RouteConfig.HeaderOps(set, add, remove);
  }

  static Target destination(SpecNode dest, IstioResource resource, IstioHosts hosts, int weight) {
    dest.fields("host", "subset", "port");
    String host = dest.string("host");
    SpecNode port = dest.child("port");
    if (port != null) {
      port.fields("number");
      port.integer("number", 1, 65535); // the instances' own port is used: a service has one port here
    }
    if (host == null) {
      dest.loading.problem(resource, dest.key("host"), "missing", "the destination's host, such as reviews");
      return null;
    }
    if (IstioHosts.isWildcard(host)) {
      dest.loading.problem(resource, dest.key("host"), host, "a host without wildcards");
      return null;
    }
    return new Target(hosts.service(host, resource.namespace()), dest.string("subset"), weight, dest.path);
  }

  private static double percentage(SpecNode node) {
    node.fields("value");
    Double value = node.number("value", 0, 100);
    return value == null ? 0 : value;
  }

  /** Istio's {@code retries}: {@code attempts} counts retries, so the mesh makes {@code attempts + 1}. */
  private static RetryConfig retry(SpecNode retries) {
    retries.fields("attempts", "perTryTimeout", "retryOn", "retryRemoteLocalities", "retryIgnorePreviousHosts",
        "backoff");
    retries.unsupported("retryRemoteLocalities", "retries go to any instance the balancer picks; localities are "
        + "not distinguished");
    Integer attempts = retries.integer("attempts", 0, RetryConfig.MAX_ATTEMPTS - 1); // retries, not attempts
    if (attempts != null && attempts == 0) {
      return RetryConfig.NONE;
    }
    RetryConfig policy = RetryConfig.DEFAULT.withAttempts(attempts == null ? 3 : attempts + 1);
    Duration perTry = retries.duration("perTryTimeout", Duration.ofMillis(1));
    if (perTry != null) {
      policy = policy.withPerTryTimeout(perTry);
    }
    Duration backoff = retries.duration("backoff", Duration.ofMillis(1));
    if (backoff != null) {
      policy = policy.withBackoff(backoff, backoff.multipliedBy(10));
    }
    String retryOn = retries.string("retryOn");
    if (retryOn != null) {
      policy = retryOn(retries, retryOn, policy);
    } else {
      policy = policy.withOn(Set.of(RetryConfig.Condition.CONNECT_FAILURE, RetryConfig.Condition.RESET), Set.of(503));
    }
    return policy;
  }

  /** Envoy's {@code retry_on} words, and bare status codes, onto retried conditions and statuses. */
  static RetryConfig retryOn(SpecNode retries, String retryOn, RetryConfig policy) {
    Set<RetryConfig.Condition> on = new LinkedHashSet<>();
    Set<Integer> statuses = new LinkedHashSet<>();
    for (String raw : retryOn.split(",")) {
      String word = raw.trim().toLowerCase(Locale.ROOT);
      if (word.isEmpty()) {
        continue;
      }
      if (word.matches("[0-9]{3}")) {
        int code = Integer.parseInt(word);
        if (code < 100 || code > 599) {
          retries.loading.problem(retries.resource, retries.key("retryOn"), word, "an HTTP status from 100 to 599");
        }
        statuses.add(code);
        continue;
      }
      switch (word) {
        case "5xx" -> {
          on.add(RetryConfig.Condition.CONNECT_FAILURE);
          on.add(RetryConfig.Condition.RESET);
          on.add(RetryConfig.Condition.TIMEOUT);
          for (int s = 500; s <= 599; s++) {
            statuses.add(s);
          }
        }
        case "gateway-error" -> statuses.addAll(List.of(502, 503, 504));
        case "reset" -> {
          on.add(RetryConfig.Condition.RESET);
          on.add(RetryConfig.Condition.TIMEOUT);
        }
        case "connect-failure" -> on.add(RetryConfig.Condition.CONNECT_FAILURE);
        case "refused-stream" -> on.add(RetryConfig.Condition.RESET);
        case "retriable-4xx" -> statuses.add(409);
        case "retriable-status-codes" -> {
          // the codes are the bare numbers of the same list
        }
        case "envoy-ratelimited", "retriable-headers", "http3-post-connect-failure", "reset-before-request" ->
            retries.loading.unsupported(retries.resource, retries.key("retryOn") + "." + word,
                "this retry condition is not implemented; the others of the list apply");
        default -> {
          if (!GRPC_RETRY_ON.contains(word)) {
            retries.loading.problem(retries.resource, retries.key("retryOn"), word, "Envoy retry conditions "
                + "(5xx, gateway-error, reset, connect-failure, refused-stream, retriable-4xx, "
                + "retriable-status-codes, gRPC statuses) or HTTP status codes, separated by commas");
          }
        }
      }
    }
    // Only gRPC words, or retriable-status-codes without a code: Envoy retries no HTTP response on them either
    return on.isEmpty() && statuses.isEmpty() ? RetryConfig.NONE : policy.withOn(on, statuses);
  }

  private static FaultConfig fault(SpecNode fault) {
    fault.fields("delay", "abort");
    double delayPercent = 0;
    Duration delay = null;
    double abortPercent = 0;
    int abortStatus = 0;
    SpecNode d = fault.child("delay");
    if (d != null) {
      d.fields("fixedDelay", "exponentialDelay", "percentage", "percent");
      d.unsupported("exponentialDelay", "exponential delays; use fixedDelay");
      delay = d.duration("fixedDelay", Duration.ofNanos(1));
      delayPercent = faultPercent(d);
      if (delay == null) {
        delayPercent = 0;
      }
    }
    SpecNode a = fault.child("abort");
    if (a != null) {
      a.fields("httpStatus", "grpcStatus", "http2Error", "percentage");
      a.unsupported("grpcStatus", "gRPC aborts; use httpStatus");
      a.unsupported("http2Error", "HTTP/2 error aborts; use httpStatus");
      Integer status = a.integer("httpStatus", 200, 599);
      if (status != null) {
        abortStatus = status;
        abortPercent = faultPercent(a);
      }
    }
    if (delayPercent == 0 && abortPercent == 0) {
      return null; // Istio: without a percentage no request is delayed or aborted
    }
    return new FaultConfig(delayPercent, delay, abortPercent, abortStatus == 0 ? 503 : abortStatus, null);
  }

  private static double faultPercent(SpecNode node) {
    SpecNode p = node.child("percentage");
    if (p != null) {
      return percentage(p);
    }
    Integer percent = node.has("percent") ? node.integer("percent", 0, 100) : null;
    return percent == null ? 0 : percent;
  }

  private static RouteConfig.HeaderOps headerOps(SpecNode node) {
    if (node == null) {
      return null;
    }
    node.fields("set", "add", "remove");
    return new RouteConfig.HeaderOps(node.stringMap("set"), node.stringMap("add"), node.strings("remove"));
  }

  /** One {@code match} block, or null when it uses a condition the mesh cannot evaluate (reported). */
  private static RouteConfig.Match match(SpecNode m) {
    m.fields("name", "uri", "scheme", "method", "authority", "headers", "port", "sourceLabels", "gateways",
        "queryParams", "ignoreUriCase", "withoutHeaders", "sourceNamespace", "statPrefix");
    int before = m.loading.unsupported.size();
    String dropped = "this match block is left out, so requests it alone would match fall through";
    m.unsupported("scheme", "matching the scheme; " + dropped);
    m.unsupported("authority", "matching the authority; " + dropped);
    m.unsupported("port", "matching the port; " + dropped);
    m.unsupported("sourceLabels", "matching the caller's labels; " + dropped);
    m.unsupported("sourceNamespace", "matching the caller's namespace; " + dropped);
    List<String> gateways = m.strings("gateways");
    if (!gateways.isEmpty() && !gateways.contains("mesh")) {
      return null; // applies to gateways only, never to sidecars
    }
    StringMatch uri = stringMatch(m.child("uri"));
    Set<String> methods = new LinkedHashSet<>();
    SpecNode method = m.child("method");
    if (method != null) {
      StringMatch sm = stringMatch(method);
      if (sm != null && sm.kind() == StringMatch.Kind.EXACT) {
        methods.add(sm.value().toUpperCase(Locale.ROOT));
      } else if (sm != null) {
        m.loading.unsupported(m.resource, method.path, "method matches other than exact; " + dropped);
      }
    }
    Map<String, StringMatch> headers = matches(m.child("headers"));
    Map<String, StringMatch> query = matches(m.child("queryParams"));
    Map<String, StringMatch> without = matches(m.child("withoutHeaders"));
    Boolean ignoreCase = m.bool("ignoreUriCase");
    if (m.loading.unsupported.size() > before) {
      return null;
    }
    return new RouteConfig.Match(uri, methods, headers, query, without, ignoreCase != null && ignoreCase);
  }

  private static Map<String, StringMatch> matches(SpecNode node) {
    Map<String, StringMatch> out = new LinkedHashMap<>();
    if (node != null) {
      for (String name : new ArrayList<>(node.names())) {
        SpecNode child = node.child(name);
        if (child == null) {
          continue;
        }
        StringMatch match = child.names().isEmpty() ? StringMatch.present() : stringMatch(child);
        if (match != null) {
          out.put(name.toLowerCase(Locale.ROOT), match);
        }
      }
    }
    return out;
  }

  /** Istio's StringMatch: exactly one of exact, prefix, regex. */
  private static StringMatch stringMatch(SpecNode node) {
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
    return switch (kind) {
      case "exact" -> StringMatch.exact(value);
      case "prefix" -> StringMatch.prefix(value);
      default -> {
        String problem = io.meshclient.core.internal.routing.RouteRegex.validate(value);
        if (problem != null) {
          node.loading.problem(node.resource, node.key(kind), value, "an RE2 regular expression (" + problem + ")");
          yield null;
        }
        yield StringMatch.regex(value);
      }
    };
  }
}
