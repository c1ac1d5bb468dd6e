package io.meshclient.core.internal.istio;

import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a VirtualService's {@code http} routes onto {@link RouteConfig}s of each service in its {@code
 * hosts}. Several {@code match} blocks of one route are ORed: each becomes a route of its own with the same
 * destinations and policies, in order, so the first that holds wins as in Istio.
 */
final class VirtualServices {
  private VirtualServices() {}

  /**
   * The subset, of no instance, that the routes of a {@code redirect}, {@code directResponse} or {@code delegate}
   * go to, so that their calls fail (NoHealthyInstanceException) as the xDS module's unroutable ones do. Not a
   * DNS-1123 label, so no DestinationRule Istio takes can name a subset so (pilot reserves no subset name).
   */
  static final String UNROUTABLE = "istio.unroutable";
  /** The label the {@link #UNROUTABLE} subset selects, which no instance has. */
  static final Map<String, String> UNROUTABLE_LABELS = Map.of("mesh.istio/unroutable", "");

  /**
   * A destination as written: the service its host names (null for each host of the VirtualService itself), the
   * subset, the weight, and where it was written.
   */
  /** A destination: its service, subset (or null), weight, path in the resource and port (0: not given). */
  record Target(String service, String subset, int weight, String path, int port) {
    Target(String service, String subset, int weight, String path) {
      this(service, subset, weight, path, 0);
    }
  }

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
      } else if (rawHosts.indexOf(host) < i) {
        spec.loading.problem(resource, spec.key("hosts") + "[" + i + "]", host, "each host once (spec.hosts["
            + rawHosts.indexOf(host) + "] lists it already; Istio: \"duplicate hosts in virtual service: " + host
            + " & " + host + "\")");
      } else {
        String service = hosts.service(spec, spec.key("hosts") + "[" + i + "]", host);
        if (service != null) {
          services.add(service);
        }
      }
    }
    List<SpecNode> http = spec.list("http");
    if (empty(spec.raw("http")) && empty(spec.raw("tcp")) && empty(spec.raw("tls"))) {
      // Applied, it would send every call to any instance of its hosts, whatever subset Istio's routes chose before
      spec.loading.problem(resource, spec.key("http"), "missing", "at least one route (Istio: \"http, tcp or tls "
          + "must be provided in virtual service\")");
    }
    List<MappedRoute> routes = new ArrayList<>();
    for (SpecNode h : http) {
      routes.addAll(route(h, resource, hosts));
    }
    return new Mapped(resource, services, routes);
  }

  /** Whether a list field is absent or empty. */
  private static boolean empty(Object value) {
    return value == null || value instanceof List<?> l && l.isEmpty();
  }

  private static List<MappedRoute> route(SpecNode http, IstioResource resource, IstioHosts hosts) {
    http.fields("name", "match", "route", "redirect", "directResponse", "delegate", "rewrite", "timeout", "retries",
        "fault", "mirror", "mirrors", "mirrorPercentage", "mirrorPercent", "mirror_percent", "corsPolicy", "headers");
    http.unsupported("corsPolicy", "CORS is the browser's and the server's business; the mesh adds no CORS headers");
    for (String action : List.of("redirect", "directResponse", "delegate")) {
      if (http.has(action)) {
        // Left out, the route would let the requests it matches fall through to a later route or to every
        // instance, where Istio never sends them (a directResponse 403 is a deny): they fail instead.
        http.unsupported(action, "the mesh only forwards requests; the requests this route matches fail (subset "
            + UNROUTABLE + ", no instance) rather than go where Istio never sends them");
        String name = http.string("name");
        RouteConfig base = RouteConfig.to(RouteConfig.Match.ANY, List.of());
        return matched(http, hosts, name == null ? base : base.withName(name), List.of(new Target(null,
            UNROUTABLE, 100, http.key(action))), null, null, 100, null);
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
      // As pilot: a route's only destination takes every call whatever its weight (0 too, which Istio accepts)
      Target t = destination(dest, resource, hosts, destinations.size() == 1 ? 100 : weight == null ? 0 : weight);
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
    samePortPerDestination(targets, http.loading, resource);
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
      base = base.withRetry(IstioRetries.retry(retries));
    }
    SpecNode fault = http.child("fault");
    if (fault != null) {
      FaultConfig f = IstioFaults.fault(fault);
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
    authorityOnce(http, base.rewrite() == null ? null : base.rewrite().authority(), request);
    // mirror
    String mirrorService = null;
    String mirrorSubset = null;
    double mirrorPercent = 100;
    SpecNode mirror = http.child("mirror");
    List<SpecNode> mirrors = http.list("mirrors");
    SpecNode percentNode = http.child("mirrorPercentage");
    if (percentNode != null) {
      mirrorPercent = percentNode.percentage();
    } else if (http.has("mirrorPercent") || http.has("mirror_percent")) {
      Integer p = http.integer(http.has("mirrorPercent") ? "mirrorPercent" : "mirror_percent", 0, 100);
      mirrorPercent = p == null ? 100 : p;
    }
    if (mirror != null && !mirrors.isEmpty()) {
      // Left out, mirrors would go unmirrored without a word; Istio's validation refuses the route
      http.loading.problem(resource, http.key("mirrors"), "set next to mirror", "one of mirror and mirrors (Istio: "
          + "\"HTTP route cannot contain both mirror and mirrors\")");
    }
    if (mirror == null && !mirrors.isEmpty()) {
      SpecNode first = mirrors.get(0);
      first.fields("destination", "percentage");
      mirror = first.child("destination");
      SpecNode p = first.child("percentage");
      mirrorPercent = p == null ? 100 : p.percentage();
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
    return matched(http, hosts, base, targets, mirrorService, mirrorSubset, mirrorPercent, deadline);
  }

  /**
   * The route {@code base} once per {@code match} block of {@code http} (ORed) that can hold for this mesh's caller
   * ({@code caller}: its namespace and labels), or once if it has none.
   */
  private static List<MappedRoute> matched(SpecNode http, IstioHosts caller, RouteConfig base,
      List<Target> targets, String mirrorService, String mirrorSubset, double mirrorPercent, Duration deadline) {
    List<MappedRoute> out = new ArrayList<>();
    List<SpecNode> matches = http.list("match");
    if (matches.isEmpty()) {
      out.add(new MappedRoute(withMatch(base, RouteConfig.Match.ANY), targets, mirrorService, mirrorSubset,
          mirrorPercent, http.path, null, deadline));
    }
    for (SpecNode match : matches) {
      RouteConfig.Match m = IstioMatches.match(match, caller.namespace(), caller.labels());
      if (m != null) {
        out.add(new MappedRoute(withMatch(base, m), targets, mirrorService, mirrorSubset, mirrorPercent, http.path,
            match.path, deadline));
      }
    }
    return out;
  }

  /**
   * {@code r} with {@code match}. A route with a {@code rewrite.uri} and no {@code uri} match matches the prefix
   * {@code /}, as pilot writes it for Envoy, so that the rewrite replaces that {@code /} ({@code /v2/} makes {@code
   * /reviews/1} {@code /v2/reviews/1}), not the whole path as a mesh route without a path match does.
   */
  private static RouteConfig withMatch(RouteConfig r, RouteConfig.Match match) {
    RouteConfig.Match m = match;
    if (match.path() == null && r.rewrite() != null && r.rewrite().uri() != null) {
      m = new RouteConfig.Match(StringMatch.prefix("/"), match.methods(), match.headers(), match.queryParams(),
          match.withoutHeaders(), match.ignoreUriCase(), match.port());
    }
    return new RouteConfig(r.name(), m, r.destinations(), r.rateLimit(), r.timeout(), r.retry(), r.fault(),
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

  /**
   * A split between ports of one host and subset would send every share to the same instances: the mesh calls
   * a service's instances at the port discovery gives (one per service here), so it is refused.
   */
  private static void samePortPerDestination(List<Target> targets, Loading loading, IstioResource resource) {
    Map<String, Target> first = new LinkedHashMap<>();
    for (Target t : targets) {
      if (t.port() == 0) {
        continue;
      }
      Target earlier = first.putIfAbsent(t.service() + "/" + t.subset(), t);
      if (earlier != null && earlier.port() != t.port()) {
        loading.problem(resource, t.path() + ".port.number", t.port(), "the port of the route's other destination "
            + "of " + t.service() + (t.subset() == null ? "" : " subset " + t.subset()) + " (" + earlier.port()
            + "): the mesh calls a service's instances at the port its discovery gives, so shares split between "
            + "ports would all reach the same instances");
      }
    }
  }

  static Target destination(SpecNode dest, IstioResource resource, IstioHosts hosts, int weight) {
    dest.fields("host", "subset", "port");
    String host = dest.string("host");
    SpecNode port = dest.child("port");
    Integer number = null;
    if (port != null) {
      port.fields("number");
      number = port.integer("number", 1, 65535); // the instances' own port is used: a service has one port here
    }
    if (host == null) {
      dest.loading.problem(resource, dest.key("host"), "missing", "the destination's host, such as reviews");
      return null;
    }
    if (IstioHosts.isWildcard(host)) {
      dest.loading.problem(resource, dest.key("host"), host, "a host without wildcards");
      return null;
    }
    String service = hosts.service(dest, dest.key("host"), host);
    return service == null ? null
        : new Target(service, dest.string("subset"), weight, dest.path, number == null ? 0 : number);
  }

  /**
   * Refuses a route that sets the authority in more than one place, as Istio's validateAuthorityRewrite does:
   * {@code rewrite.authority}, then a {@code host} or {@code :authority} header of the route's {@code
   * headers.request.set}, then of its {@code add}. Applied, one of them would win where Istio applies neither.
   */
  private static void authorityOnce(SpecNode http, String rewriteAuthority, RouteConfig.HeaderOps request) {
    List<String[]> places = new ArrayList<>(); // field path, value
    if (rewriteAuthority != null) {
      places.add(new String[] {http.key("rewrite.authority"), rewriteAuthority});
    }
    for (String op : List.of("set", "add")) {
      Map<String, String> headers = request == null ? Map.of() : op.equals("set") ? request.set() : request.add();
      headers.forEach((name, value) -> {
        if (name.equalsIgnoreCase("host") || name.equalsIgnoreCase(":authority")) {
          places.add(new String[] {http.key("headers.request." + op + "." + name), value});
        }
      });
    }
    String first = null;
    for (String[] place : places) {
      if (first != null) {
        http.loading.problem(http.resource, place[0], place[1], "the authority set in one place only: " + first
            + " sets it (Istio: \"authority header cannot be set multiple times\")");
      } else if (!place[1].isEmpty()) {
        first = place[0];
      }
    }
  }

  private static RouteConfig.HeaderOps headerOps(SpecNode node) {
    if (node == null) {
      return null;
    }
    node.fields("set", "add", "remove");
    return new RouteConfig.HeaderOps(node.stringMap("set"), node.stringMap("add"), node.strings("remove"));
  }
}
