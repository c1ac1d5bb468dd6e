package io.meshclient.core.internal.istio;

import io.meshclient.core.config.BalancerConfig;
import java.util.Map;

/**
 * Maps a {@code trafficPolicy.loadBalancer} (Istio's LoadBalancerSettings) onto the balancer: {@code simple}
 * by name, {@code consistentHash} on a header or a cookie onto the ring hash. Its {@code localityLbSetting} is
 * {@link IstioLocality}'s, its {@code warmupDurationSecs} the slow start of {@link DestinationRules}.
 */
final class IstioLoadBalancers {
  private IstioLoadBalancers() {}

  /** The balancer {@code lb} names, or null when it names none (or names one the mesh refuses, reported). */
  static BalancerConfig loadBalancer(SpecNode lb) {
    if (lb == null) {
      return null;
    }
    lb.fields("simple", "consistentHash", "localityLbSetting", "warmupDurationSecs", "warmup");
    lb.unsupported("warmup", "the warmup block; use warmupDurationSecs");
    String simple = lb.string("simple");
    SpecNode hash = lb.child("consistentHash");
    if (simple != null && hash != null) {
      lb.loading.problem(lb.resource, lb.path, "simple and consistentHash", "one of them");
    }
    if (simple != null) {
      switch (simple) { // as written: Istio's schema and protojson take enum names in upper case only
        case "ROUND_ROBIN": return BalancerConfig.named("round-robin");
        case "LEAST_REQUEST", "LEAST_CONN": return BalancerConfig.named("least-request");
        case "RANDOM": return BalancerConfig.named("random");
        case "UNSPECIFIED": return null;
        case "PASSTHROUGH":
          lb.unsupported("simple", "PASSTHROUGH: calls go to the balanced instances, never to the original address");
          return null;
        default:
          lb.loading.problem(lb.resource, lb.key("simple"), simple,
              "one of ROUND_ROBIN, LEAST_REQUEST, LEAST_CONN, RANDOM, PASSTHROUGH, UNSPECIFIED, in upper case as Istio "
                  + "requires");
          return null;
      }
    }
    if (hash == null) {
      return null;
    }
    hash.fields("httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName", "ringHash", "maglev",
        "minimumRingSize");
    hash.unsupported("useSourceIp", "hashing on the source address: every call comes from this process");
    hash.unsupported("httpQueryParameterName", "hashing on a query parameter; use httpHeaderName");
    hash.unsupported("maglev", "Maglev hashing; the mesh uses a ring hash");
    hash.unsupported("ringHash", "ring size settings");
    hash.unsupported("minimumRingSize", "ring size settings");
    String header = hash.string("httpHeaderName");
    if (header != null) {
      return new BalancerConfig("ring-hash", Map.of("hash-header", header));
    }
    SpecNode cookie = hash.child("httpCookie");
    if (cookie != null) {
      cookie.fields("name", "path", "ttl", "attributes");
      cookie.unsupported("ttl", "generating the cookie when it is absent: the mesh only hashes a cookie the caller "
          + "sends");
      cookie.unsupported("attributes", "attributes of a generated cookie");
      cookie.unsupported("path", "the path of a generated cookie");
      String name = cookie.string("name");
      if (name == null) {
        cookie.loading.problem(cookie.resource, cookie.key("name"), "missing", "the cookie's name");
        return null;
      }
      return new BalancerConfig("ring-hash", Map.of("hash-cookie", name));
    }
    return null;
  }
}
