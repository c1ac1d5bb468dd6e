package io.meshclient.core.config;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.Providers;
import io.meshclient.api.spi.Setting;
import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Turns a raw tree (from YAML, JSON or Spring properties) into a validated {@link MeshConfig}. */
final class MeshConfigReader {
  private final List<String> problems = new ArrayList<>();

  private MeshConfigReader() {}

  static MeshConfig read(Map<String, ?> tree) {
    Map<String, Object> root = ConfigNode.asMap(tree);
    if (root != null && root.size() == 1 && root.containsKey(MeshConfig.PREFIX)) {
      if (root.get(MeshConfig.PREFIX) == null) { // `mesh:` and nothing under it, not a key "mesh" inside mesh
        throw ConfigurationException.of(MeshConfig.PREFIX, "empty", "a block of settings; mesh: {} for an empty "
            + "configuration");
      }
      root = ConfigNode.asMap(root.get(MeshConfig.PREFIX));
    }
    if (root == null) {
      throw ConfigurationException.of(MeshConfig.PREFIX, "a single value", "a block of settings");
    }
    MeshConfigReader reader = new MeshConfigReader();
    return reader.readRoot(new ConfigNode(MeshConfig.PREFIX, root, reader.problems));
  }

  private MeshConfig readRoot(ConfigNode root) {
    MeshConfig.Builder builder = MeshConfig.builder();
    root.allowOnly(MeshKeys.ROOT);
    ConfigNode istio = root.child("istio");
    if (istio != null) { // read by whoever builds the Mesh (the starter); only its keys are checked here
      istio.allowOnly(MeshKeys.ISTIO);
    }
    ConfigNode discovery = root.child("discovery");
    if (discovery != null) {
      for (String name : discovery.childNames()) {
        ConfigNode settings = discovery.child(name);
        builder.discovery(name, settings == null ? Map.of() : rawMap(discovery.raw(name)));
      }
    }
    ConfigNode defaults = root.child("defaults");
    if (defaults != null) {
      builder.defaults(defaults(defaults));
    }
    String unknownHosts = root.string("unknown-hosts");
    if (unknownHosts != null) {
      UnknownHosts policy = UnknownHosts.of(unknownHosts);
      if (policy == null) {
        root.report(root.key("unknown-hosts"), unknownHosts, "pass-through or refuse");
      } else {
        builder.unknownHosts(policy);
      }
    }
    ConfigNode services = root.child("services");
    if (services != null) {
      for (String name : services.childNames()) {
        ConfigNode service = services.child(name);
        if (service != null) {
          builder.service(service(name, service));
        }
      }
    }
    MeshConfig config = null;
    try {
      config = builder.build();
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      for (String problem : discoveryProblems(builder.discoveries())) {
        if (!problems.contains(problem)) {
          problems.add(problem);
        }
      }
      throw new ConfigurationException(problems);
    }
    return config;
  }

  /**
   * What the discovery providers find wrong with their settings. Asked only when the rest of the
   * configuration is refused anyway, so that one report names every bad key; a valid configuration has
   * its discoveries checked, and created, when a mesh applies it. Each discovery made here is closed at
   * once; a failure that is not about settings is left for that moment.
   */
  private static List<String> discoveryProblems(Map<String, Map<String, Object>> discoveries) {
    List<String> out = new ArrayList<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    ClassLoader loader = context != null ? context : MeshConfigReader.class.getClassLoader();
    for (Map.Entry<String, Map<String, Object>> entry : discoveries.entrySet()) {
      String key = MeshConfig.PREFIX + ".discovery." + entry.getKey();
      try {
        Providers.discovery(entry.getKey(), key, loader).create(new DiscoveryContext(key, entry.getValue())).close();
      } catch (ConfigurationException e) {
        out.addAll(e.problems());
      } catch (RuntimeException e) {
        // not a settings problem: reported when a mesh applies a valid configuration
      }
    }
    return out;
  }

  private ServiceDefaults defaults(ConfigNode node) {
    node.allowOnly(MeshKeys.DEFAULTS);
    ServiceDefaults d = ServiceDefaults.DEFAULT;
    BalancerConfig balancer = balancer(node);
    ConnectionPoolConfig pool = ConnectionPoolConfig.DEFAULT;
    ConfigNode poolNode = node.child("connection-pool");
    if (poolNode != null) {
      poolNode.allowOnly(MeshKeys.POOL);
      pool = new ConnectionPoolConfig(poolNode.integer(MeshKeys.MAX_IDLE, pool.maxIdlePerHost()),
          poolNode.integer(MeshKeys.MAX_REQUESTS, pool.maxRequestsPerHost()),
          poolNode.duration(MeshKeys.KEEP_ALIVE, pool.keepAlive()));
    }
    return new ServiceDefaults(balancer != null ? balancer : d.loadBalancer(),
        node.duration(MeshKeys.TIMEOUT, d.timeout()), node.duration(MeshKeys.CONNECT_TIMEOUT, d.connectTimeout()),
        node.integer(MeshKeys.MAX_CONCURRENT, d.maxConcurrentRequests()), pool,
        node.has("allowed-addresses") ? node.strings("allowed-addresses") : d.allowedAddresses());
  }

  private ServiceConfig service(String name, ConfigNode node) {
    node.allowOnly(MeshKeys.SERVICES);
    ServiceConfig.Builder b = ServiceConfig.builder(name)
        .discovery(node.string("discovery"))
        .loadBalancer(balancer(node))
        .timeout(node.duration(MeshKeys.TIMEOUT))
        .rateLimit(rateLimit(node.child("rate-limit")))
        .circuitBreaker(ResilienceReader.breaker(node.child("circuit-breaker")))
        .outlierDetection(ResilienceReader.outlier(node.child("outlier-detection")))
        .tls(tls(node.child("tls"), null))
        .allowedAddresses(node.has("allowed-addresses") ? node.strings("allowed-addresses") : null)
        .connectTimeout(node.duration(MeshKeys.CONNECT_TIMEOUT))
        .slowStart(TrafficShapingReader.slowStart(node.child("slow-start")))
        .locality(TrafficShapingReader.locality(node.child("locality"), System::getenv, null));
    RetryConfig serviceRetry = ResilienceReader.retry(node.child("retry"), RetryConfig.DEFAULT, false);
    b.retry(serviceRetry);
    b.maxConcurrentRequests(cap(node, MeshKeys.MAX_CONCURRENT));
    ConfigNode subsets = node.child("subsets");
    if (subsets != null) {
      for (String subset : subsets.childNames()) {
        b.subset(subset, subsets.stringMap(subset));
      }
    }
    ConfigNode policies = node.child("subset-policies");
    if (policies != null) {
      for (String subset : policies.childNames()) {
        ConfigNode policy = policies.child(subset);
        if (policy == null) {
          continue; // reported by child(): not a block, or empty
        }
        policy.allowOnly(MeshKeys.SUBSET_POLICIES);
        b.subsetPolicy(subset, SubsetPolicyConfig.builder()
            .loadBalancer(balancer(policy))
            .outlierDetection(ResilienceReader.outlier(policy.child("outlier-detection")))
            .maxConcurrentRequests(cap(policy, MeshKeys.SUBSET_MAX_CONCURRENT))
            .connectTimeout(policy.duration(MeshKeys.SUBSET_CONNECT_TIMEOUT))
            .slowStart(TrafficShapingReader.slowStart(policy.child("slow-start")))
            .tls(tls(policy.child("tls"), SubsetPolicyConfig.TLS_OFF))
            .locality(TrafficShapingReader.locality(policy.child("locality"), System::getenv,
                SubsetPolicyConfig.LOCALITY_OFF))
            .build());
      }
    }
    for (ConfigNode route : node.list("routes")) {
      b.route(route(route, serviceRetry != null ? serviceRetry : RetryConfig.DEFAULT));
    }
    return b.build();
  }

  /**
   * A cap on calls in flight ({@code setting}), or 0 when absent. 0 stands for "not set" in the model (the default's,
   * or the service's for a subset), so a 0 written is refused here rather than read as the default.
   */
  private static int cap(ConfigNode node, Setting setting) {
    Integer cap = node.integer(setting);
    if (cap != null && cap == 0) {
      node.report(node.key(setting.name()), 0, setting.expected());
    }
    return cap == null ? 0 : cap;
  }

  /**
   * The tls block.
   *
   * @param off what {@code enabled: false} reads as: null for a service, {@link SubsetPolicyConfig#TLS_OFF} for a
   *     subset
   */
  private static TlsConfig tls(ConfigNode node, TlsConfig off) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.TLS);
    if (!node.enabled()) {
      return off;
    }
    String trust = node.string("trust");
    if (trust == null || trust.isBlank()) { // blank too: never read as the subset's "no TLS"
      node.report(node.key("trust"), trust == null ? "missing" : "''",
          "the location of a PEM CA bundle, such as file:/etc/mesh/ca.pem");
      return null;
    }
    return new TlsConfig(trust, node.string("cert-chain"), node.string("private-key"), node.string("peer-identity"));
  }

  private RouteConfig route(ConfigNode node, RetryConfig serviceRetry) {
    node.allowOnly(MeshKeys.ROUTES);
    List<RouteConfig.Destination> destinations = new ArrayList<>();
    List<String> forms = new ArrayList<>();
    if (node.has("to")) {
      forms.add("to");
      if (node.raw("to") instanceof Map) {
        ConfigNode to = node.child("to");
        to.allowOnly(MeshKeys.TO);
        destinations.add(new RouteConfig.Destination(to.string("service"), to.string("subset"), 1));
      } else {
        destinations.add(new RouteConfig.Destination(null, node.string("to"), 1));
      }
    }
    ConfigNode splitNode = node.child("split");
    if (splitNode != null) {
      forms.add("split");
      for (String subset : splitNode.childNames()) {
        Object raw = splitNode.raw(subset);
        Integer weight = raw == null ? null : (Integer) MeshKeys.WEIGHT.parse(splitNode.key(subset), raw, problems);
        // a refused weight is reported once, as itself
        destinations.add(new RouteConfig.Destination(null, subset, weight == null ? 1 : weight));
      }
    }
    if (node.has("destinations")) {
      forms.add("destinations");
      Setting weight = MeshKeys.DESTINATIONS.child("weight");
      for (ConfigNode d : node.list("destinations")) {
        d.allowOnly(MeshKeys.DESTINATIONS);
        destinations.add(new RouteConfig.Destination(d.string("service"), d.string("subset"), d.integer(weight, 1)));
      }
    }
    if (forms.size() > 1) {
      node.report(node.key(), "both " + String.join(" and ", forms), "one destination: 'to', 'split' or 'destinations'");
    }
    ConfigNode headers = node.child("headers");
    if (headers != null) {
      headers.allowOnly(MeshKeys.HEADERS);
    }
    ConfigNode rewrite = node.child("rewrite");
    if (rewrite != null) {
      rewrite.allowOnly(MeshKeys.REWRITE);
    }
    return new RouteConfig(node.string("name"), match(node.child("match")), destinations,
        rateLimit(node.child("rate-limit")), node.duration(MeshKeys.TIMEOUT),
        ResilienceReader.retry(node.child("retry"), serviceRetry, true), ResilienceReader.fault(node.child("fault")),
        mirror(node.child("mirror")), node.duration(MeshKeys.CONNECT_TIMEOUT),
        headerOps(headers == null ? null : headers.child("request")),
        headerOps(headers == null ? null : headers.child("response")),
        rewrite == null ? null : new RouteConfig.Rewrite(rewrite.string("uri"), rewrite.string("authority")),
        hedge(node.child("hedge")));
  }

  /** {@code after: 50ms} or {@code after: p95}, with the optional parts' defaults. */
  private HedgeConfig hedge(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.HEDGE);
    String after = node.string("after");
    Duration fixed = null;
    double percentile = 0;
    if (after == null) {
      if (!node.has("after")) {
        node.report(node.key("after"), "missing", "a delay such as 50ms, or a percentile such as p95");
      }
      return null;
    }
    String text = after.trim();
    if (text.startsWith("p") || text.startsWith("P")) {
      Double p = SettingValues.decimalNumber(text.substring(1));
      percentile = p == null ? -1 : p;
      if (!(percentile >= 50 && percentile <= 99.9)) {
        node.report(node.key("after"), after, "a percentile from p50 to p99.9, such as p95");
        return null;
      }
    } else {
      fixed = SettingValues.parseDuration(text);
      if (fixed == null) {
        node.report(node.key("after"), after, "a delay such as 50ms, or a percentile such as p95");
        return null;
      }
    }
    return new HedgeConfig(fixed, percentile, node.duration(MeshKeys.HEDGE_FALLBACK, HedgeConfig.DEFAULT_FALLBACK),
        node.integer(MeshKeys.HEDGE_MAX_EXTRA, 1), node.integer(MeshKeys.HEDGE_MIN_SAMPLES, 100));
  }

  private static RouteConfig.HeaderOps headerOps(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.HEADERS.child("request"));
    return new RouteConfig.HeaderOps(node.stringMap("set"), node.stringMap("add"), node.strings("remove"));
  }

  private static MirrorConfig mirror(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.MIRROR);
    double percent = 100;
    String rawPercent = node.string("percent");
    if (rawPercent != null) {
      String text = rawPercent.trim().endsWith("%") ? rawPercent.trim().substring(0, rawPercent.trim().length() - 1)
          : rawPercent.trim();
      Double p = SettingValues.decimalNumber(text);
      if (p == null) {
        node.report(node.key("percent"), rawPercent, "a percentage such as 10 or 0.5%");
      } else {
        percent = p;
      }
    }
    return new MirrorConfig(node.string("to"), node.string("service"), percent,
        node.integer(MeshKeys.MIRROR_MAX, MirrorConfig.DEFAULT_MAX_CONCURRENT));
  }

  private RouteConfig.Match match(ConfigNode node) {
    if (node == null) {
      return RouteConfig.Match.ANY;
    }
    node.allowOnly(MeshKeys.MATCH);
    StringMatch path = node.has("path") ? stringMatch(node, "path") : null;
    Set<String> methods = new java.util.LinkedHashSet<>();
    node.strings("method").forEach(m -> methods.add(m.trim().toUpperCase(Locale.ROOT)));
    Map<String, StringMatch> headers = matches(node, "headers");
    Map<String, StringMatch> query = matches(node, "query-params");
    Map<String, StringMatch> without = matches(node, "without-headers");
    Object ignoreCase = node.raw("ignore-uri-case");
    if (ignoreCase != null && !"true".equalsIgnoreCase(ignoreCase.toString())
        && !"false".equalsIgnoreCase(ignoreCase.toString())) {
      node.report(node.key("ignore-uri-case"), ignoreCase, "true or false");
    }
    return new RouteConfig.Match(path, methods, headers, query, without,
        ignoreCase != null && "true".equalsIgnoreCase(ignoreCase.toString()));
  }

  /** Name to match under {@code child} of a match block: {@code headers}, {@code query-params}, ... */
  private Map<String, StringMatch> matches(ConfigNode node, String child) {
    Map<String, StringMatch> out = new LinkedHashMap<>();
    ConfigNode parent = node.child(child);
    if (parent != null) {
      for (String name : parent.childNames()) {
        StringMatch m = stringMatch(parent, name);
        if (m != null) {
          out.put(name, m);
        }
      }
    }
    return out;
  }

  /** {@code {exact: x}}, {@code {prefix: x}}, {@code {regex: x}}, {@code {present: true}}, or a bare string (exact). */
  private StringMatch stringMatch(ConfigNode parent, String child) {
    Object raw = parent.raw(child);
    if (!(raw instanceof Map)) {
      return StringMatch.exact(String.valueOf(raw));
    }
    ConfigNode node = parent.child(child);
    if (node.childNames().size() != 1) {
      node.report(node.key(), node.childNames(), "exactly one of [exact, prefix, regex, present]");
      return null;
    }
    String kind = node.childNames().iterator().next();
    String value = node.string(kind);
    if (value == null) {
      if (!node.has(kind)) {
        node.report(node.key(kind), "missing", "a value to match");
      }
      return null;
    }
    switch (kind) {
      case "exact": return StringMatch.exact(value);
      case "prefix": return StringMatch.prefix(value);
      case "regex": return StringMatch.regex(value);
      case "present":
        if (!"true".equalsIgnoreCase(value)) {
          node.report(node.key(kind), value, "true");
        }
        return StringMatch.present();
      default:
        node.report(node.key(kind), "unknown key", "one of [exact, prefix, regex, present]");
        return null;
    }
  }

  private RateLimitConfig rateLimit(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.RATE_LIMIT);
    String rate = node.string("rate");
    long permits = 0;
    Duration per = Duration.ofSeconds(1);
    if (rate == null) {
      node.report(node.key("rate"), "missing", "a rate such as 200/s");
      return null;
    }
    int slash = rate.indexOf('/');
    try {
      permits = Long.parseLong(rate.substring(0, slash < 0 ? rate.length() : slash).trim());
      if (slash >= 0) {
        String unit = rate.substring(slash + 1).trim();
        per = SettingValues.parseDuration(Character.isDigit(unit.isEmpty() ? 'x' : unit.charAt(0)) ? unit : "1" + unit);
      }
    } catch (NumberFormatException e) {
      per = null;
    }
    if (per == null) {
      node.report(node.key("rate"), rate, "a rate such as 200/s, 10/ms or 1000/m");
      return null;
    }
    Integer burst = node.integer(MeshKeys.BURST);
    Duration maxWait = node.duration(MeshKeys.MAX_WAIT);
    return new RateLimitConfig(permits, per, burst != null ? burst : (int) Math.max(1, Math.min(permits,
        Integer.MAX_VALUE)), maxWait != null ? maxWait : Duration.ZERO);
  }

  private BalancerConfig balancer(ConfigNode node) {
    Object raw = node.raw("load-balancer");
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof Map)) {
      return BalancerConfig.named(raw.toString());
    }
    Map<String, String> options = new LinkedHashMap<>(node.stringMap("load-balancer"));
    String name = options.remove("name");
    if (name == null) {
      node.report(node.key("load-balancer.name"), "missing", "a balancer name such as least-request");
      return null;
    }
    return new BalancerConfig(name, options);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> rawMap(Object raw) {
    return (Map<String, Object>) (Map<?, ?>) ConfigNode.asMap(raw);
  }
}
