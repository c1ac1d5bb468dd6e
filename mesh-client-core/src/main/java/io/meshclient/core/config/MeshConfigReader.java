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
import java.util.Map;

/** Turns a raw tree (from YAML, JSON or Spring properties) into a validated {@link MeshConfig}. */
final class MeshConfigReader {
  private final List<String> problems = new ArrayList<>();
  private final RouteReader routes = new RouteReader(problems);

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
        ConfigNode service = services.blockOrEmpty(name);
        if (service != null) {
          builder.service(service(name, service));
        }
      }
      explainMisindentedSettings(services);
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
   * A service's setting written one level too high ({@code subsets:} beside the service it belongs to, under
   * {@code mesh.services}) is read as a service of that name, its contents as unknown keys: where that is
   * refused, one more line says what happened. A service may be named like a setting, so nothing is refused
   * for the name alone.
   */
  private void explainMisindentedSettings(ConfigNode services) {
    explainMisindented(services, "a service", "indent it under the service it belongs to");
  }

  /**
   * As {@link #explainMisindentedSettings}, one level down: a service's setting written one level too low
   * ({@code routes:} under {@code subsets}) is read as a subset of that name.
   */
  private void explainMisindented(ConfigNode parent, String readAs, String fix) {
    for (String name : parent.childNames()) {
      String key = parent.key(name);
      if (MeshKeys.SERVICES.names().contains(name) && refused(key)) {
        problems.add(ConfigurationException.problem(key, "read as " + readAs, readAs + " name; " + name
            + " is a service setting: " + fix));
      }
    }
  }

  /** Whether a problem is reported at {@code key} or under it. */
  private boolean refused(String key) {
    for (String problem : problems) {
      if (problem.startsWith(key + ":") || problem.startsWith(key + ".") || problem.startsWith(key + "[")) {
        return true;
      }
    }
    return false;
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
        .rateLimit(rateLimit(node.child(MeshKeys.RATE_LIMIT)))
        .circuitBreaker(ResilienceReader.breaker(node.child(MeshKeys.BREAKER)))
        .outlierDetection(ResilienceReader.outlier(node.child(MeshKeys.OUTLIER)))
        .tls(tls(node.child(MeshKeys.TLS), null))
        .allowedAddresses(node.has("allowed-addresses") ? node.strings("allowed-addresses") : null)
        .connectTimeout(node.duration(MeshKeys.CONNECT_TIMEOUT))
        .slowStart(TrafficShapingReader.slowStart(node.child(MeshKeys.SLOW_START)))
        .locality(TrafficShapingReader.locality(node.child(MeshKeys.LOCALITY), System::getenv, null));
    RetryConfig serviceRetry = ResilienceReader.retry(node.child(MeshKeys.RETRY), RetryConfig.DEFAULT, false);
    b.retry(serviceRetry);
    b.maxConcurrentRequests(cap(node, MeshKeys.MAX_CONCURRENT));
    ConfigNode subsets = node.child("subsets", "a block of subsets by name, each a block of the labels its "
        + "instances carry, such as { v1: { version: v1 } }");
    if (subsets != null) {
      for (String subset : subsets.childNames()) {
        b.subset(subset, subsets.textMap(subset));
      }
      explainMisindented(subsets, "a subset", "indent it as far as subsets");
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
      b.route(routes.route(route, serviceRetry != null ? serviceRetry : RetryConfig.DEFAULT));
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

  /** The rate-limit block of a service or a route. */
  static RateLimitConfig rateLimit(ConfigNode node) {
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
