package io.meshclient.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.Providers;
import io.meshclient.core.MeshListener;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.BalancerConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.ratelimit.GcraRateLimiter;
import io.meshclient.core.resilience.CircuitBreakers;
import io.meshclient.core.resilience.EjectionListener;
import io.meshclient.core.resilience.OutlierDetector;
import io.meshclient.core.resilience.RetryBudget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the per-service snapshots current as configuration and discovery change. All changes happen
 * under one lock, off the request path; the request path reads {@link #service(String)}, one volatile
 * read and a hash lookup.
 */
public final class MeshRuntime implements AutoCloseable {
  private final Object lock = new Object();
  private final ClassLoader classLoader;
  private final Ticker ticker;
  private final RateLimiterRegistry limiterRegistry;
  private final CircuitBreakerRegistry breakerRegistry;
  private final EjectionListener ejections;
  private final Map<String, OutlierDetector> detectors = new HashMap<>();
  private final Map<String, BudgetSlot> budgets = new HashMap<>();
  private final Map<String, io.meshclient.core.tls.ServiceTls> tlsByService = new HashMap<>();
  private final io.meshclient.core.tls.MeshSslSocketFactory tlsSockets;
  private final io.meshclient.core.security.AllowListDns dns;
  private final MeshListener listener;
  private final Map<String, List<ServiceInstance>> rawInstances = new HashMap<>();
  private static final System.Logger LOG = System.getLogger(MeshRuntime.class.getName());
  private final Map<String, ServiceDiscovery> supplied;
  private final Map<String, DiscoveryBinding> discoveries = new LinkedHashMap<>();
  private final Map<String, ServiceDiscovery.Watch> watches = new HashMap<>();
  private final Map<String, ServiceDiscovery> watchedWith = new HashMap<>();
  private final Map<String, List<ServiceInstance>> instances = new HashMap<>();
  private final Map<String, AtomicInteger> inFlight = new HashMap<>();
  private final Map<String, GcraRateLimiter> limiters = new HashMap<>();
  private volatile Map<String, ServiceRuntime> services = Map.of();
  private volatile MeshConfig config;
  private boolean closed;

  public MeshRuntime(MeshConfig config, Map<String, ServiceDiscovery> supplied, ClassLoader classLoader,
      Ticker ticker, RateLimiterRegistry limiterRegistry, CircuitBreakerRegistry breakerRegistry,
      MeshListener listener, io.meshclient.core.tls.MeshSslSocketFactory tlsSockets,
      io.meshclient.core.security.AllowListDns dns) {
    this.tlsSockets = tlsSockets;
    this.dns = dns;
    this.listener = listener;
    this.classLoader = classLoader;
    this.ticker = ticker;
    this.limiterRegistry = limiterRegistry;
    this.breakerRegistry = breakerRegistry;
    this.ejections = new EjectionListener() {
      @Override
      public void onEjected(String service, ServiceInstance instance, long nanos) {
        listener.onEjected(service, instance.id(), nanos);
      }

      @Override
      public void onReturned(String service, String instanceId) {
        listener.onReturned(service, instanceId);
      }
    };
    this.supplied = Map.copyOf(supplied);
    apply(config);
  }

  /** The snapshot of the service named {@code host}, or null if it is not a mesh service. */
  public ServiceRuntime service(String host) {
    return services.get(host);
  }

  /** Every service snapshot, by name. */
  public Map<String, ServiceRuntime> services() {
    return services;
  }

  /** The configuration in force. */
  public MeshConfig config() {
    return config;
  }

  /**
   * Validates {@code newConfig} against the discoveries and balancers available, then swaps it in
   * whole; on any problem nothing changes and the problem is thrown.
   */
  public void apply(MeshConfig newConfig) {
    Objects.requireNonNull(newConfig, "newConfig");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("mesh is closed");
      }
      Map<String, DiscoveryBinding> nextDiscoveries = new LinkedHashMap<>();
      List<DiscoveryBinding> created = new ArrayList<>();
      try {
        resolveDiscoveries(newConfig, nextDiscoveries, created);
        Map<String, ServiceDiscovery> serviceDiscovery = assignDiscoveries(newConfig, nextDiscoveries);
        Map<String, ServiceRuntime> next = new HashMap<>();
        Set<String> liveLimiters = new LinkedHashSet<>();
        for (String service : serviceDiscovery.keySet()) {
          next.put(service, build(newConfig, service, liveLimiters));
        }
        commit(newConfig, nextDiscoveries, serviceDiscovery, next, liveLimiters);
      } catch (RuntimeException e) {
        created.forEach(binding -> binding.discovery().close());
        throw e;
      }
    }
  }

  private void resolveDiscoveries(MeshConfig newConfig, Map<String, DiscoveryBinding> next,
      List<DiscoveryBinding> created) {
    supplied.forEach((name, discovery) -> next.put(name, new DiscoveryBinding(name, discovery, null)));
    newConfig.discovery().forEach((name, settings) -> {
      if (next.containsKey(name)) {
        return;
      }
      DiscoveryBinding current = discoveries.get(name);
      if (current != null && Objects.equals(current.settings(), settings)) {
        next.put(name, current);
        return;
      }
      String key = MeshConfig.PREFIX + ".discovery." + name;
      ServiceDiscovery discovery = Providers.discovery(name, key, classLoader)
          .create(new DiscoveryContext(key, settings));
      DiscoveryBinding binding = new DiscoveryBinding(name, discovery, settings);
      created.add(binding);
      next.put(name, binding);
    });
  }

  private static Map<String, ServiceDiscovery> assignDiscoveries(MeshConfig newConfig,
      Map<String, DiscoveryBinding> available) {
    Set<String> names = new LinkedHashSet<>(newConfig.services().keySet());
    available.values().forEach(b -> names.addAll(b.discovery().knownServices()));
    Map<String, ServiceDiscovery> out = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String service : names) {
      String wanted = newConfig.service(service).discovery();
      DiscoveryBinding binding = null;
      if (wanted != null) {
        binding = available.get(wanted);
        if (binding == null) {
          problems.add(ConfigurationException.problem(MeshConfig.PREFIX + ".services." + service + ".discovery",
              wanted, available.isEmpty() ? "a discovery configured under mesh.discovery (none is)"
                  : "one of the configured discoveries " + available.keySet()));
        }
      } else if (available.size() == 1) {
        binding = available.values().iterator().next();
      } else {
        for (DiscoveryBinding candidate : available.values()) {
          if (candidate.discovery().knownServices().contains(service)) {
            binding = candidate;
            break;
          }
        }
        if (binding == null) {
          problems.add(ConfigurationException.problem(MeshConfig.PREFIX + ".services." + service + ".discovery",
              "not set", available.isEmpty() ? "a discovery configured under mesh.discovery (none is)"
                  : "one of " + available.keySet() + ", since several discoveries are configured"));
        }
      }
      if (binding != null) {
        out.put(service, binding.discovery());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return out;
  }

  private ServiceRuntime build(MeshConfig newConfig, String service, Set<String> liveLimiters) {
    ServiceConfig serviceConfig = newConfig.service(service);
    BalancerConfig balancer = serviceConfig.loadBalancer() != null
        ? serviceConfig.loadBalancer() : newConfig.defaults().loadBalancer();
    String balancerKey = MeshConfig.PREFIX + ".services." + service + ".load-balancer";
    var provider = Providers.loadBalancer(balancer.name(), balancerKey, classLoader);
    ServiceRuntime.Parts parts = new ServiceRuntime.Parts(
        subset -> provider.create(new BalancerContext(service, balancerKey, balancer.options())),
        (name, limit) -> {
          liveLimiters.add(name);
          return limiter(name, limit);
        },
        inFlight.computeIfAbsent(service, s -> new AtomicInteger()),
        serviceConfig.circuitBreaker() == null ? null
            : CircuitBreakers.obtain(breakerRegistry, service, serviceConfig.circuitBreaker(), ticker),
        detector(service, serviceConfig.outlierDetection()),
        budget(service, serviceConfig.retry() != null ? serviceConfig.retry() : RetryConfig.DEFAULT),
        tls(service, serviceConfig.tls()),
        allowList(serviceConfig.allowedAddresses() != null ? serviceConfig.allowedAddresses()
            : newConfig.defaults().allowedAddresses()));
    List<ServiceInstance> current = rawInstances.containsKey(service)
        ? canonicalize(instances.getOrDefault(service, List.of()), allowed(service, parts.allowList(),
            rawInstances.get(service)))
        : List.of();
    return new ServiceRuntime(serviceConfig, newConfig.defaults(), parts, current);
  }

  private static io.meshclient.core.security.AddressAllowList allowList(List<String> cidrs) {
    return cidrs == null ? null : io.meshclient.core.security.AddressAllowList.of(cidrs);
  }

  /** The instances of {@code snapshot} that resolve inside the allow-list; the others are reported. */
  private List<ServiceInstance> allowed(String service, io.meshclient.core.security.AddressAllowList allowList,
      List<ServiceInstance> snapshot) {
    if (allowList == null) {
      return snapshot;
    }
    List<ServiceInstance> out = new ArrayList<>(snapshot.size());
    for (ServiceInstance instance : snapshot) {
      String refusal = allowList.refusal(instance.host());
      if (refusal == null) {
        out.add(instance);
      } else {
        LOG.log(System.Logger.Level.WARNING, "dropped instance {0} of service {1}: {2}", instance.id(), service,
            refusal);
        listener.onInstanceRejected(service, instance.id(), refusal);
      }
    }
    return out;
  }

  /** The detector of {@code service}: the current one if its settings are unchanged; null when off. */
  private OutlierDetector detector(String service, OutlierConfig config) {
    OutlierConfig wanted = config != null ? config : OutlierConfig.DEFAULT;
    if (wanted.equals(ServiceConfig.OUTLIER_DETECTION_OFF)) {
      return null;
    }
    OutlierDetector current = detectors.get(service);
    return current != null && current.config().equals(wanted) ? current
        : new OutlierDetector(service, wanted, ticker, ejections);
  }

  /** The TLS settings of {@code service}: the current ones (with their rotation state) if unchanged. */
  private io.meshclient.core.tls.ServiceTls tls(String service, io.meshclient.core.config.TlsConfig config) {
    if (config == null) {
      return null;
    }
    io.meshclient.core.tls.ServiceTls current = tlsByService.get(service);
    return current != null && current.config().equals(config) ? current
        : io.meshclient.core.tls.ServiceTls.create(MeshConfig.PREFIX + ".services." + service + ".tls", config,
            classLoader);
  }

  /**
   * Tells the TLS socket factory which instance addresses belong to which service's TLS settings, and
   * the resolver which instance hosts are held to which allow-list.
   */
  private void publishAddresses() {
    Map<String, io.meshclient.core.tls.ServiceTls> byAddress = new HashMap<>();
    Map<String, io.meshclient.core.security.AddressAllowList> byHost = new HashMap<>();
    services.values().forEach(runtime -> {
      for (ServiceInstance instance : runtime.instances()) {
        String host = canonicalHost(instance.host());
        if (runtime.tls() != null) {
          byAddress.put(host + ":" + instance.port(), runtime.tls());
        }
        if (runtime.allowList() != null) {
          byHost.put(host, runtime.allowList());
        }
      }
    });
    tlsSockets.update(byAddress);
    dns.update(byHost);
  }

  /** The host as OkHttp's HttpUrl spells it (lower case, IPv6 compressed, no brackets). */
  static String canonicalHost(String host) {
    return new okhttp3.HttpUrl.Builder().scheme("https").host(host).build().host();
  }

  private RetryBudget budget(String service, RetryConfig retry) {
    BudgetSlot current = budgets.get(service);
    if (current != null && current.percent == retry.budgetPercent() && current.minPerSecond == retry.budgetMinPerSecond()) {
      return current.budget;
    }
    BudgetSlot slot = new BudgetSlot(retry.budgetPercent(), retry.budgetMinPerSecond(),
        new RetryBudget(retry.budgetPercent(), retry.budgetMinPerSecond(), ticker));
    budgets.put(service, slot);
    return slot.budget;
  }

  private record BudgetSlot(int percent, int minPerSecond, RetryBudget budget) {}

  private GcraRateLimiter limiter(String name, RateLimitConfig limit) {
    GcraRateLimiter current = limiters.get(name);
    if (current != null && current.config().equals(limit)) {
      return current;
    }
    GcraRateLimiter limiter = GcraRateLimiter.of(name, limit, ticker);
    limiters.put(name, limiter);
    if (limiterRegistry.find(name).isEmpty()) {
      limiterRegistry.rateLimiter(name);
    }
    limiterRegistry.replace(name, limiter);
    return limiter;
  }

  private void commit(MeshConfig newConfig, Map<String, DiscoveryBinding> nextDiscoveries,
      Map<String, ServiceDiscovery> serviceDiscovery, Map<String, ServiceRuntime> next, Set<String> liveLimiters) {
    for (String name : new ArrayList<>(limiters.keySet())) {
      if (!liveLimiters.contains(name)) {
        limiters.remove(name);
        limiterRegistry.remove(name);
      }
    }
    this.config = newConfig;
    this.services = Map.copyOf(next);
    detectors.clear();
    budgets.keySet().retainAll(next.keySet());
    for (String name : breakerRegistry.getAllCircuitBreakers().stream().map(b -> b.getName()).toList()) {
      ServiceRuntime runtime = next.get(name);
      if (runtime == null || runtime.breaker() == null) {
        breakerRegistry.remove(name);
      }
    }
    tlsByService.clear();
    next.forEach((name, runtime) -> {
      if (runtime.detector() != null) {
        detectors.put(name, runtime.detector());
      }
      if (runtime.tls() != null) {
        tlsByService.put(name, runtime.tls());
      }
    });
    publishAddresses();
    for (String service : new ArrayList<>(watches.keySet())) {
      if (serviceDiscovery.get(service) != watchedWith.get(service)) {
        watches.remove(service).close();
        watchedWith.remove(service);
        instances.remove(service);
        rawInstances.remove(service);
      }
    }
    serviceDiscovery.forEach((service, discovery) -> {
      if (!watches.containsKey(service)) {
        watchedWith.put(service, discovery);
        WatchToken token = new WatchToken();
        watches.put(service, token);
        token.watch = discovery.watch(service, snapshot -> onSnapshot(service, token, snapshot));
      }
    });
    for (DiscoveryBinding old : discoveries.values()) {
      if (old.ownedByMesh() && nextDiscoveries.get(old.name()) != old) {
        old.discovery().close();
      }
    }
    discoveries.clear();
    discoveries.putAll(nextDiscoveries);
  }

  private void onSnapshot(String service, WatchToken token, List<ServiceInstance> snapshot) {
    synchronized (lock) {
      if (closed || watches.get(service) != token) {
        return;
      }
      rawInstances.put(service, snapshot);
      ServiceRuntime current = services.get(service);
      List<ServiceInstance> canonical = canonicalize(instances.getOrDefault(service, List.of()),
          allowed(service, current == null ? null : current.allowList(), snapshot));
      instances.put(service, canonical);
      if (current != null) {
        Map<String, ServiceRuntime> next = new HashMap<>(services);
        next.put(service, current.withInstances(canonical));
        services = Map.copyOf(next);
        if (current.tls() != null || current.allowList() != null) {
          publishAddresses();
        }
      }
    }
  }

  /** Reuses the previous object for every instance that did not change, so balancer state keyed by identity survives. */
  private static List<ServiceInstance> canonicalize(List<ServiceInstance> previous, List<ServiceInstance> snapshot) {
    Map<String, ServiceInstance> byId = new HashMap<>();
    previous.forEach(i -> byId.put(i.id(), i));
    List<ServiceInstance> out = new ArrayList<>(snapshot.size());
    for (ServiceInstance instance : snapshot) {
      ServiceInstance old = byId.get(instance.id());
      out.add(old != null && old.equals(instance) ? old : instance);
    }
    return List.copyOf(out);
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      watches.values().forEach(ServiceDiscovery.Watch::close);
      watches.clear();
      discoveries.values().stream().filter(DiscoveryBinding::ownedByMesh).forEach(b -> b.discovery().close());
      discoveries.clear();
      limiters.keySet().forEach(limiterRegistry::remove);
      limiters.clear();
    }
  }

  /** Identifies one watch, so a late snapshot from a replaced watch is ignored. */
  private static final class WatchToken implements ServiceDiscovery.Watch {
    volatile ServiceDiscovery.Watch watch;

    @Override
    public void close() {
      ServiceDiscovery.Watch w = watch;
      if (w != null) {
        w.close();
      }
    }
  }
}
