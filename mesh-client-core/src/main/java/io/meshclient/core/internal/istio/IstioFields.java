package io.meshclient.core.internal.istio;

import io.meshclient.core.config.MeshConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Names the Istio file, resource and field behind a problem the mesh's validator finds in what the resources
 * translate to. The readers check what they can against the mesh's ranges; what only the validator knows (a header
 * value with a line break, an empty CA file name) is found on the translated configuration and named with a mesh
 * key, {@code mesh.services.reviews.routes[0].headers...}, that the user never wrote. mesh.yaml's part was valid
 * alone, so such a problem comes from the resources: it is named as {@code file: VirtualService ns/name:
 * spec.http[0].headers...}, or, for a key with no one Istio field, the resource's block with the mesh key after it.
 */
public final class IstioFields {
  /** Mesh keys under {@code routes[i]} and the field of an Istio {@code http} route each is read from. */
  private static final String[][] ROUTE = {
      {".retry.attempts", ".retries.attempts"}, {".retry.per-try-timeout", ".retries.perTryTimeout"},
      {".retry.on", ".retries.retryOn"}, {".retry", ".retries"}, {".headers", ".headers"}, {".rewrite", ".rewrite"},
      {".timeout", ".timeout"}, {".fault.delay.duration", ".fault.delay.fixedDelay"},
      {".fault.delay.percent", ".fault.delay.percentage.value"}, {".fault.abort.status", ".fault.abort.httpStatus"},
      {".fault.abort.percent", ".fault.abort.percentage.value"}, {".fault", ".fault"},
      {".mirror.percent", ".mirrorPercentage.value"}, {".mirror", ".mirror"}, {".destinations", ".route"}, {".name", ".name"}};
  /** Mesh keys under {@code routes[i].match} and the field of the Istio {@code match[k]} each is read from. */
  private static final String[][] MATCH = {{".match.path", ".uri"}, {".match.method", ".method.exact"},
      {".match.query-params", ".queryParams"}, {".match.headers", ".headers"},
      {".match.without-headers", ".withoutHeaders"}};
  /** Mesh keys of a service (or under {@code subset-policies.<subset>}) and the field of a trafficPolicy. */
  private static final String[][] POLICY = {
      {".tls.trust", ".tls.caCertificates"}, {".tls.cert-chain", ".tls.clientCertificate"},
      {".tls.private-key", ".tls.privateKey"}, {".tls.peer-identity", ".tls.subjectAltNames[0]"}, {".tls", ".tls"},
      {".outlier-detection.consecutive-failures", ".outlierDetection.consecutive5xxErrors"},
      {".outlier-detection.consecutive-gateway-errors", ".outlierDetection.consecutiveGatewayErrors"},
      {".outlier-detection.base-ejection", ".outlierDetection.baseEjectionTime"},
      {".outlier-detection.max-ejected", ".outlierDetection.maxEjectionPercent"},
      {".outlier-detection.panic-threshold", ".outlierDetection.minHealthPercent"},
      {".outlier-detection", ".outlierDetection"},
      {".max-concurrent-requests", ".connectionPool.http.http2MaxRequests"},
      {".connect-timeout", ".connectionPool.tcp.connectTimeout"}, {".slow-start", ".loadBalancer.warmupDurationSecs"},
      {".locality", ".loadBalancer.localityLbSetting"}, {".load-balancer.hash-header", ".loadBalancer.consistentHash.httpHeaderName"},
      {".load-balancer.hash-cookie", ".loadBalancer.consistentHash.httpCookie.name"},
      {".load-balancer", ".loadBalancer"}};

  private final Map<String, DestinationRules.Policy> policies;
  private final Map<String, VirtualServices.Mapped> routesOf;

  /** The fields of the DestinationRules and VirtualServices of one translation, by the service they describe. */
  IstioFields(Map<String, DestinationRules.Policy> policies, Map<String, VirtualServices.Mapped> routesOf) {
    this.policies = Map.copyOf(policies);
    this.routesOf = Map.copyOf(routesOf);
  }

  /**
   * {@code problems} of the translated configuration, each about a value a resource set named at that resource's
   * field; the others (mesh.yaml's) as they are.
   */
  public List<String> named(List<String> problems) {
    List<String> out = new ArrayList<>(problems.size());
    for (String problem : problems) {
      out.add(named(problem));
    }
    return out;
  }

  private String named(String problem) {
    String prefix = MeshConfig.PREFIX + ".services.";
    int keyEnd = problem.indexOf(": ");
    if (!problem.startsWith(prefix) || keyEnd < 0) {
      return problem;
    }
    String key = problem.substring(0, keyEnd);
    String rest = problem.substring(keyEnd);
    String service = null;
    for (String s : services(policies, routesOf)) {
      if (key.startsWith(prefix + s + ".") && (service == null || s.length() > service.length())) {
        service = s;
      }
    }
    if (service == null) {
      return problem;
    }
    String sub = key.substring(prefix.length() + service.length() + 1);
    VirtualServices.Mapped vs = routesOf.get(service);
    if (sub.startsWith("routes[") && vs != null) { // a service a VirtualService covers takes its routes from it only
      int close = sub.indexOf(']');
      int index = Integer.parseInt(sub.substring("routes[".length(), close));
      if (index < vs.routes().size()) {
        VirtualServices.MappedRoute route = vs.routes().get(index);
        String tail = sub.substring(close + 1);
        if (tail.startsWith(".match.") && route.matchPath() != null) {
          // the mesh key names no kind for a path that is not a valid prefix or exact value: the URI's match does
          String kind = tail.equals(".match.path") ? "." + route.config().match().path().kind().key() : "";
          return Loading.where(vs.resource()) + route.matchPath() + or(field(tail + kind, MATCH), key) + rest;
        }
        return Loading.where(vs.resource()) + route.path() + or(field(tail, ROUTE), key) + rest;
      }
    }
    DestinationRules.Policy policy = policies.get(service);
    if (policy == null) {
      return problem;
    }
    List<String> subsets = new ArrayList<>(policy.subsets().keySet());
    if (sub.startsWith("subset-policies.") || sub.startsWith("subsets.")) {
      String afterKind = sub.substring(sub.indexOf('.') + 1);
      String subset = subsetOf(afterKind, subsets);
      if (subset == null) {
        return problem; // a subset mesh.yaml defines
      }
      DestinationRules.Origin origin = policy.subsetOrigins().get(subset);
      String tail = afterKind.substring(subset.length()); // "" or ".key..."
      if (sub.startsWith("subsets.")) {
        return Loading.where(origin.resource()) + origin.path() + (tail.isEmpty() ? ".name" : ".labels" + tail)
            + rest;
      }
      DestinationRules.Traffic own = policy.subsetTraffic().get(subset);
      return own == null || !sets(own, tail) ? problem : Loading.where(origin.resource()) + origin.path()
          + ".trafficPolicy" + or(field(tail, POLICY), key) + rest;
    }
    return policy.trafficFrom() == null || !sets(policy.traffic(), "." + sub) ? problem
        : Loading.where(policy.trafficFrom()) + "spec.trafficPolicy" + or(field("." + sub, POLICY), key) + rest;
  }

  /** Whether {@code traffic} sets the mesh setting {@code setting} (a key's tail, starting with a dot) leads to. */
  private static boolean sets(DestinationRules.Traffic traffic, String setting) {
    String top = setting.substring(1).split("\\.", 2)[0];
    return switch (top) {
      // ISTIO_MUTUAL takes mesh.yaml's certificates: a problem with them is mesh.yaml's
      case "tls" -> traffic.tls() != null;
      case "outlier-detection" -> traffic.outliers() != null;
      case "max-concurrent-requests" -> traffic.maxConcurrentRequests() != null;
      case "connect-timeout" -> traffic.connectTimeout() != null;
      case "slow-start" -> traffic.slowStart() != null;
      case "locality" -> traffic.locality() != null;
      case "load-balancer" -> traffic.loadBalancer() != null;
      default -> false;
    };
  }

  private static String or(String field, String key) {
    return field != null ? field : ", read as " + key;
  }

  private static List<String> services(Map<String, DestinationRules.Policy> policies,
      Map<String, VirtualServices.Mapped> routesOf) {
    List<String> all = new ArrayList<>(policies.keySet());
    all.addAll(routesOf.keySet());
    return all;
  }

  /** The subset of {@code subsets} that {@code afterKind} ({@code <subset>.key...}) starts with, the longest. */
  private static String subsetOf(String afterKind, List<String> subsets) {
    String found = null;
    for (String subset : subsets) {
      if ((afterKind.equals(subset) || afterKind.startsWith(subset + "."))
          && (found == null || subset.length() > found.length())) {
        found = subset;
      }
    }
    return found;
  }

  /** The Istio field {@code meshKey} (a key's tail, starting with a dot) is read from, or null if none is known. */
  private static String field(String meshKey, String[][] table) {
    for (String[] row : table) {
      if (meshKey.equals(row[0]) || meshKey.startsWith(row[0] + ".")) {
        return row[1] + meshKey.substring(row[0].length());
      }
    }
    return null;
  }
}
