package io.meshclient.core.config;

import static io.meshclient.core.config.SecretKeys.problem;

import io.meshclient.api.spi.Providers;
import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The rules every configuration must pass, each problem naming its full key. */
final class ConfigValidator {
  private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

  private final List<String> problems = new ArrayList<>();
  private final ResilienceValidator resilience = new ResilienceValidator(problems);
  private final TrafficShapingValidator shaping = new TrafficShapingValidator(problems);
  private final List<String> balancerNames;

  private ConfigValidator() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    balancerNames = Providers.loadBalancerNames(loader != null ? loader : ConfigValidator.class.getClassLoader());
  }

  private Map<String, ServiceConfig> services = Map.of();
  private ServiceDefaults defaults = ServiceDefaults.DEFAULT;

  static List<String> validate(ServiceDefaults defaults, Map<String, ServiceConfig> services) {
    ConfigValidator v = new ConfigValidator();
    v.services = services;
    v.defaults = defaults;
    v.defaults("mesh.defaults", defaults);
    services.forEach((name, service) -> v.service("mesh.services." + name, service));
    return v.problems;
  }

  private void defaults(String key, ServiceDefaults d) {
    balancer(key + ".load-balancer", d.loadBalancer());
    resilience.check(key, MeshKeys.TIMEOUT, d.timeout());
    resilience.check(key, MeshKeys.CONNECT_TIMEOUT, d.connectTimeout());
    resilience.check(key, MeshKeys.MAX_CONCURRENT, d.maxConcurrentRequests());
    ConnectionPoolConfig pool = d.connectionPool();
    resilience.check(key + ".connection-pool", MeshKeys.MAX_IDLE, pool.maxIdlePerHost());
    resilience.check(key + ".connection-pool", MeshKeys.MAX_REQUESTS, pool.maxRequestsPerHost());
    resilience.check(key + ".connection-pool", MeshKeys.KEEP_ALIVE, pool.keepAlive());
    cidrs(key + ".allowed-addresses", d.allowedAddresses());
  }

  private void cidrs(String key, List<String> cidrs) {
    if (cidrs == null) {
      return;
    }
    for (int i = 0; i < cidrs.size(); i++) {
      try {
        io.meshclient.core.internal.security.Cidr.parse(cidrs.get(i));
      } catch (IllegalArgumentException e) {
        problems.add(problem(key + "[" + i + "]", cidrs.get(i), "a CIDR block such as 10.0.0.0/8 or fd00::/8 ("
            + e.getMessage() + ")"));
      }
    }
  }

  /** What a service name must be, as the "expected" part of an error. */
  static final String SERVICE_NAME_EXPECTED = "a lower-case host name: letters, digits, '-' and '.'";

  /** Whether {@code name} is a valid service name (a lower-case host name). */
  static boolean isServiceName(String name) {
    return SERVICE_NAME.matcher(name).matches();
  }

  private void service(String key, ServiceConfig s) {
    if (!isServiceName(s.name())) {
      problems.add(problem(key, s.name(), SERVICE_NAME_EXPECTED));
    }
    if (s.loadBalancer() != null) {
      balancer(key + ".load-balancer", s.loadBalancer());
    }
    if (s.timeout() != null) {
      resilience.check(key, MeshKeys.TIMEOUT, s.timeout());
    }
    if (s.connectTimeout() != null) {
      resilience.check(key, MeshKeys.CONNECT_TIMEOUT, s.connectTimeout());
    }
    if (s.maxConcurrentRequests() != 0) { // 0: the default's
      resilience.check(key, MeshKeys.MAX_CONCURRENT, s.maxConcurrentRequests());
    }
    if (s.rateLimit() != null) {
      resilience.rateLimit(key + ".rate-limit", s.rateLimit());
    }
    if (s.circuitBreaker() != null) {
      resilience.breaker(key + ".circuit-breaker", s.circuitBreaker());
    }
    if (s.retry() != null) {
      resilience.retry(key + ".retry", s.retry());
    }
    if (s.outlierDetection() != null) {
      resilience.outlier(key + ".outlier-detection", s.outlierDetection());
    }
    cidrs(key + ".allowed-addresses", s.allowedAddresses());
    if (s.tls() != null) {
      s.tls().validate(key + ".tls", problems);
    }
    if (s.slowStart() != null) {
      shaping.slowStart(key + ".slow-start", s.slowStart());
    }
    if (s.locality() != null) {
      shaping.locality(key + ".locality", s.locality());
    }
    s.subsets().forEach((subset, selector) -> {
      if (subset.isBlank() || TrafficShapingValidator.hasControl(subset)) { // a subset's name tags metrics and spans
        problems.add(problem(key + ".subsets", subset.isBlank() ? "''" : subset, "non-empty subset names without "
            + "control characters (CR, LF, tab...)"));
      }
    });
    s.subsetPolicies().forEach((subset, policy) -> {
      String policyKey = key + ".subset-policies." + subset;
      if (!s.subsets().containsKey(subset)) {
        problems.add(problem(policyKey, "set", "a subset of " + key + ".subsets " + s.subsets().keySet()));
      }
      subsetPolicy(policyKey, policy);
    });
    for (int i = 0; i < s.routes().size(); i++) {
      route(key + ".routes[" + i + "]", s.routes().get(i), s);
    }
    resilience.routeNames(key + ".routes", s.routes());
  }

  /** The values of one subset's policy, each against the range of the service-level key of that name. */
  private void subsetPolicy(String key, SubsetPolicyConfig policy) {
    if (policy.loadBalancer() != null) {
      balancer(key + ".load-balancer", policy.loadBalancer());
    }
    if (policy.maxConcurrentRequests() != 0) { // 0: the service's
      resilience.check(key, MeshKeys.SUBSET_MAX_CONCURRENT, policy.maxConcurrentRequests());
    }
    if (policy.connectTimeout() != null) {
      resilience.check(key, MeshKeys.SUBSET_CONNECT_TIMEOUT, policy.connectTimeout());
    }
    if (policy.outlierDetection() != null) {
      resilience.outlier(key + ".outlier-detection", policy.outlierDetection());
    }
    if (policy.tls() != null && policy.tls() != SubsetPolicyConfig.TLS_OFF) { // the constant only: see TLS_OFF
      policy.tls().validate(key + ".tls", problems);
    }
    if (policy.slowStart() != null) {
      shaping.slowStart(key + ".slow-start", policy.slowStart());
    }
    if (policy.locality() != null && !policy.locality().equals(SubsetPolicyConfig.LOCALITY_OFF)) {
      shaping.locality(key + ".locality", policy.locality());
    }
  }

  private void route(String key, RouteConfig route, ServiceConfig service) {
    Map<String, Map<String, String>> subsets = service.subsets();
    List<RouteConfig.Destination> destinations = route.destinations();
    if (destinations.isEmpty()) {
      problems.add(problem(key, "no destination", "'to: <subset>', 'split: {<subset>: <weight>, ...}' or "
          + "'destinations: [{service: <name>, subset: <subset>, weight: <n>}, ...]'"));
    } else if (route.to() != null && destinations.get(0).weight() == 1) {
      subset(key + ".to", route.to(), subsets);
    } else if (!route.split().isEmpty()) {
      long sum = 0;
      int before = problems.size();
      for (Map.Entry<String, Integer> e : route.split().entrySet()) {
        subset(key + ".split", e.getKey(), subsets);
        Integer weight = e.getValue();
        if (weight == null || weight < 0) {
          problems.add(problem(key + ".split." + e.getKey(), weight, "a weight >= 0"));
        } else if (MeshKeys.WEIGHT.check(key + ".split." + e.getKey(), weight, problems)) {
          sum += weight;
        }
      }
      if (sum <= 0 && problems.size() == before) {
        problems.add(problem(key + ".split", route.split(), "weights summing to more than 0"));
      }
    } else {
      destinations(key, destinations, service);
    }
    headerOps(key + ".headers.request", route.requestHeaders());
    headerOps(key + ".headers.response", route.responseHeaders());
    if (route.rewrite() != null) {
      rewrite(key + ".rewrite", route.rewrite());
    }
    if (route.hedge() != null) {
      resilience.hedge(key + ".hedge", route.hedge(), attemptTimeout(route, service));
    }
    if (route.rateLimit() != null) {
      resilience.rateLimit(key + ".rate-limit", route.rateLimit());
    }
    if (route.timeout() != null) {
      resilience.check(key, MeshKeys.TIMEOUT, route.timeout());
    }
    if (route.connectTimeout() != null) {
      resilience.check(key, MeshKeys.CONNECT_TIMEOUT, route.connectTimeout());
    }
    if (route.retry() != null) {
      resilience.retry(key + ".retry", route.retry());
      RetryConfig own = service.retry() != null ? service.retry() : RetryConfig.DEFAULT;
      // A route's retry built from RetryConfig.NONE or DEFAULT carries their budget, which means "the
      // service's"; any other budget is one the caller asked for and would not get.
      if (!sameBudget(route.retry(), own) && !sameBudget(route.retry(), RetryConfig.NONE)
          && !sameBudget(route.retry(), RetryConfig.DEFAULT)) {
        problems.add(problem(key + ".retry.budget", route.retry().budgetPercent() + "%, "
            + route.retry().budgetMinPerSecond() + "/s", "the service's budget (" + own.budgetPercent() + "%, "
            + own.budgetMinPerSecond() + "/s): one budget per service caps the retries and hedges of all its routes"));
      }
    }
    if (route.fault() != null) {
      resilience.fault(key + ".fault", route.fault());
    }
    if (route.mirror() != null) {
      mirror(key + ".mirror", route.mirror(), service.subsets());
    }
    RouteConfig.Match match = route.match();
    if (match.path() != null) {
      if (match.path().kind() == StringMatch.Kind.PRESENT) {
        problems.add(problem(key + ".match.path", "present", "exact, prefix or regex"));
      } else if (match.path().kind() != StringMatch.Kind.REGEX && !match.path().value().startsWith("/")) {
        // no request path lacks it: the route would never match, and its calls would take the next route
        problems.add(problem(key + ".match.path", match.path().value(), "a path starting with '/': a request's "
            + "path always does"));
      }
      addIfPresent(match.path().regexProblem(key + ".match.path"));
    }
    for (String method : match.methods()) {
      if (!method.matches("[A-Z]+")) {
        problems.add(problem(key + ".match.method", method, "an upper-case HTTP method such as GET"));
      }
    }
    match.queryParams().forEach((name, m) -> {
      if (name.isEmpty()) {
        problems.add(problem(key + ".match.query-params", "''", "a query parameter name"));
      }
      addIfPresent(m.regexProblem(key + ".match.query-params." + name));
    });
    matchHeaders(key + ".match.headers.", match.headers());
    matchHeaders(key + ".match.without-headers.", match.withoutHeaders());
  }

  /**
   * How long one attempt of {@code route} waits: its timeout (the route's, else the service's, else the
   * default), or the retry's {@code per-try-timeout} when shorter.
   */
  private Duration attemptTimeout(RouteConfig route, ServiceConfig service) {
    Duration timeout = route.timeout() != null ? route.timeout()
        : service.timeout() != null ? service.timeout() : defaults.timeout();
    RetryConfig retry = route.retry() != null ? route.retry()
        : service.retry() != null ? service.retry() : RetryConfig.DEFAULT;
    return retry.perTryTimeout() != null && retry.perTryTimeout().compareTo(timeout) < 0
        ? retry.perTryTimeout() : timeout;
  }

  private void matchHeaders(String prefix, Map<String, StringMatch> headers) {
    headers.forEach((name, m) -> {
      String headerKey = prefix + name;
      if (!SettingValues.isToken(name)) {
        problems.add(problem(headerKey, name, "a header name (RFC 9110 token)"));
      }
      if (m.value().indexOf('\r') >= 0 || m.value().indexOf('\n') >= 0) {
        problems.add(problem(headerKey + "." + m.kind().key(), "a value with CR or LF", "no line breaks"));
      }
      addIfPresent(m.regexProblem(headerKey));
    });
  }

  /** A weighted list that may name other services: {@code routes[i].destinations[j]}, or {@code to} for one. */
  private void destinations(String routeKey, List<RouteConfig.Destination> destinations, ServiceConfig own) {
    long sum = 0;
    int before = problems.size();
    for (int j = 0; j < destinations.size(); j++) {
      RouteConfig.Destination d = destinations.get(j);
      String key = destinations.size() == 1 ? routeKey + ".to" : routeKey + ".destinations[" + j + "]";
      ServiceConfig target = own;
      if (d.service() != null && !d.service().equals(own.name())) {
        if (!isServiceName(d.service())) {
          problems.add(problem(key + ".service", d.service(), SERVICE_NAME_EXPECTED));
          continue;
        }
        target = services.get(d.service());
      }
      if (d.subset() != null) {
        if (target == null) {
          problems.add(problem(key + ".subset", d.subset(), "a subset defined under mesh.services." + d.service()
              + ".subsets (that service has no configuration here; leave subset out to use all its instances)"));
        } else {
          subset(key + ".subset", d.subset(), target.subsets());
        }
      }
      if (d.weight() < 0) {
        problems.add(problem(key + ".weight", d.weight(), "a weight >= 0"));
      } else if (MeshKeys.WEIGHT.check(key + ".weight", d.weight(), problems)) {
        sum += d.weight();
      }
    }
    if (sum <= 0 && problems.size() == before) {
      problems.add(problem(routeKey + ".destinations", destinations, "weights summing to more than 0"));
    }
  }

  /** Header names must be tokens and values what OkHttp sends: printable ASCII and tabs, no line breaks. */
  private void headerOps(String key, RouteConfig.HeaderOps ops) {
    java.util.function.BiConsumer<String, String> check = (opKey, name) -> {
      if (!SettingValues.isToken(name)) {
        problems.add(problem(opKey, name, "a header name (RFC 9110 token)"));
      }
    };
    for (int i = 0; i < ops.remove().size(); i++) {
      check.accept(key + ".remove[" + i + "]", ops.remove().get(i));
    }
    for (String op : List.of("set", "add")) {
      Map<String, String> values = op.equals("set") ? ops.set() : ops.add();
      values.forEach((name, value) -> {
        String valueKey = key + "." + op + "." + name;
        check.accept(valueKey, name);
        if (!value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f))) {
          problems.add(problem(valueKey, value.replace("\r", "\\r").replace("\n", "\\n"),
              "printable ASCII (OkHttp sends no other character in a header value)"));
        }
      });
    }
  }

  private static final Pattern REWRITE_URI = Pattern.compile("/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*");
  private static final Pattern AUTHORITY = Pattern.compile("([A-Za-z0-9._~%-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?");

  private void rewrite(String key, RouteConfig.Rewrite rewrite) {
    if (rewrite.uri() == null && rewrite.authority() == null) {
      problems.add(problem(key, "empty", "uri and/or authority"));
    }
    if (rewrite.uri() != null && !REWRITE_URI.matcher(rewrite.uri()).matches()) {
      problems.add(problem(key + ".uri", rewrite.uri(), "a path starting with '/', without a query, fragment, "
          + "spaces or line breaks (percent-encode other characters)"));
    }
    if (rewrite.authority() != null && !AUTHORITY.matcher(rewrite.authority()).matches()) {
      problems.add(problem(key + ".authority", rewrite.authority(), "a host with an optional port, such as "
          + "ratings.internal:8080"));
    }
  }

  private void mirror(String key, MirrorConfig mirror, Map<String, Map<String, String>> subsets) {
    if ((mirror.subset() == null) == (mirror.service() == null)) {
      problems.add(problem(key, "to: " + mirror.subset() + ", service: " + mirror.service(),
          "exactly one of 'to: <subset>' or 'service: <name>'"));
    } else if (mirror.subset() != null) {
      subset(key + ".to", mirror.subset(), subsets);
    } else if (!SERVICE_NAME.matcher(mirror.service()).matches()) {
      problems.add(problem(key + ".service", mirror.service(), "a service name"));
    }
    if (!(mirror.percent() >= 0 && mirror.percent() <= 100)) { // NaN too
      problems.add(problem(key + ".percent", mirror.percent(), "0..100"));
    }
    resilience.check(key, MeshKeys.MIRROR_MAX, mirror.maxConcurrent());
  }

  private void subset(String key, String subset, Map<String, Map<String, String>> subsets) {
    if (!subsets.containsKey(subset)) {
      problems.add(problem(key, subset, subsets.isEmpty()
          ? "a subset defined under subsets (this service defines none)"
          : "one of the subsets " + subsets.keySet()));
    }
  }

  private void balancer(String key, BalancerConfig balancer) {
    if (!balancerNames.contains(balancer.name())) {
      problems.add(problem(key, balancer.name(), "one of " + balancerNames
          + SettingValues.didYouMean(balancer.name(), balancerNames)));
    }
  }

  private void addIfPresent(String problem) {
    if (problem != null) {
      problems.add(problem);
    }
  }

  private static boolean sameBudget(RetryConfig a, RetryConfig b) {
    return a.budgetPercent() == b.budgetPercent() && a.budgetMinPerSecond() == b.budgetMinPerSecond();
  }
}
