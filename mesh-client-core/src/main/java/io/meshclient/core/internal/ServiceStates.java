package io.meshclient.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import io.meshclient.api.spi.Providers;
import io.meshclient.core.MeshListener;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.BalancerConfig;
import io.meshclient.core.config.LocalityConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.SlowStartConfig;
import io.meshclient.core.config.SubsetPolicyConfig;
import io.meshclient.core.config.TlsConfig;
import io.meshclient.core.internal.balancer.Balancers;
import io.meshclient.core.internal.metrics.ResilienceMeters;
import io.meshclient.core.internal.resilience.EjectionListener;
import io.meshclient.core.internal.resilience.OutlierDetector;
import io.meshclient.core.internal.resilience.RetryBudget;
import io.meshclient.core.internal.security.AddressAllowList;
import io.meshclient.core.internal.tls.MeshSslSocketFactory;
import io.meshclient.core.internal.tls.ServiceTls;
import io.meshclient.core.internal.tls.SubsetTls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state of each service that outlives one snapshot and one configuration: rate-limit buckets,
 * concurrency counters, outlier detectors, retry budgets and TLS identities (a subset's TLS client with its
 * pooled connections too) are kept when their
 * settings do not change, so a reconfiguration or a discovery update does not reset them. Used under
 * {@link MeshRuntime}'s lock only.
 */
final class ServiceStates {
  private static final System.Logger LOG = System.getLogger(MeshRuntime.class.getName());

  private final ClassLoader classLoader;
  private final Ticker ticker;
  private final MeshBreakers breakers;
  private final MeshListener listener;
  private final EjectionListener ejections;
  private final Map<StateKey, AtomicInteger> inFlight = new HashMap<>();
  private final MeshLimiters limiters;
  private final Map<StateKey, OutlierDetector> detectors = new HashMap<>();
  private final Map<String, BudgetSlot> budgets = new HashMap<>();
  /** The budgets the swap under way made, by service: in {@link #budgets} once it is applied, forgotten if not. */
  private final Map<String, BudgetSlot> swappedBudgets = new HashMap<>();
  private final Map<String, ServiceTls> tlsByService = new HashMap<>();
  private final Map<StateKey, SubsetTls> subsetTls = new HashMap<>();
  private final MeshSslSocketFactory tlsSockets;
  /**
   * Balancer providers by name, found once: a {@link java.util.ServiceLoader} lookup reads every
   * {@code META-INF/services} file on the class path, which per service made a 200-service build slow.
   */
  private final Map<String, LoadBalancerProvider> balancerProviders = new HashMap<>();

  ServiceStates(ClassLoader classLoader, Ticker ticker, RateLimiterRegistry limiterRegistry,
      Lazy<CircuitBreakerRegistry> breakerRegistry, ResilienceMeters meters, MeshListener listener,
      MeshSslSocketFactory tlsSockets) {
    this.classLoader = classLoader;
    this.tlsSockets = tlsSockets;
    this.ticker = ticker;
    this.limiters = new MeshLimiters(limiterRegistry, meters, ticker);
    this.breakers = new MeshBreakers(breakerRegistry, meters, ticker);
    this.listener = listener;
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
  }

  /**
   * {@code config} with the caller's zone from {@code discovery} when its locality names none (neither
   * {@code zone} nor {@code MESH_ZONE}).
   *
   * @throws io.meshclient.api.ConfigurationException if the discovery does not know the zone either
   */
  private static ServiceConfig withCallerZone(ServiceConfig config, String service,
      io.meshclient.api.ServiceDiscovery discovery) {
    LocalityConfig locality = config.locality();
    LocalityConfig zoned = withCallerZone(locality, MeshConfig.PREFIX + ".services." + service + ".locality",
        discovery);
    return zoned == locality ? config : config.toBuilder().locality(zoned).build();
  }

  /**
   * {@code locality} with the caller's zone from {@code discovery} when it names none; null stays null.
   *
   * @param key the key of the locality block, such as {@code mesh.services.reviews.locality}
   * @throws io.meshclient.api.ConfigurationException if the discovery does not know the zone either
   */
  private static LocalityConfig withCallerZone(LocalityConfig locality, String key,
      io.meshclient.api.ServiceDiscovery discovery) {
    if (locality == null || !locality.zone().isEmpty()) {
      return locality;
    }
    String zone = discovery == null ? null : discovery.callerZone();
    if (zone == null || zone.isBlank()) {
      throw io.meshclient.api.ConfigurationException.of(key + ".zone",
          "missing", "the caller's zone, the MESH_ZONE environment variable, or a discovery that knows it "
              + "(kubernetes, with NODE_NAME naming a Node labelled topology.kubernetes.io/zone)");
    }
    if (zone.trim().chars().anyMatch(Character::isISOControl)) { // as the validator's check of a configured zone
      throw io.meshclient.api.ConfigurationException.of(key + ".zone", zone, "a zone name without control "
          + "characters (CR, LF, tab...), from the discovery's callerZone(): no instance's zone has one");
    }
    return locality.withZone(zone.trim());
  }

  /**
   * The parts of {@code service} under {@code config}: balancers are new, the rest reused where the
   * settings did not change. Names of the rate limiters used are added to {@code liveLimiters}.
   *
   * @throws io.meshclient.api.ConfigurationException if a balancer or TLS setting cannot be used
   */
  ServiceRuntime.Parts parts(MeshConfig config, String service, Set<String> liveLimiters,
      io.meshclient.api.ServiceDiscovery discovery) {
    ServiceConfig serviceConfig = withCallerZone(config.service(service), service, discovery);
    StateKey serviceKey = new StateKey(service, null);
    SubsetPolicy servicePolicy = new SubsetPolicy(detector(serviceKey, serviceConfig.outlierDetection()), false,
        inFlight.computeIfAbsent(serviceKey, k -> new AtomicInteger()), serviceConfig.maxConcurrentRequests() > 0
            ? serviceConfig.maxConcurrentRequests() : config.defaults().maxConcurrentRequests(), false, -1, null,
        false);
    BalancerConfig balancer = serviceConfig.loadBalancer() != null
        ? serviceConfig.loadBalancer() : config.defaults().loadBalancer();
    String balancerKey = MeshConfig.PREFIX + ".services." + service + ".load-balancer";
    var provider = balancerProvider(balancer.name(), balancerKey);
    java.util.function.Supplier<io.meshclient.api.LoadBalancer> base =
        () -> Balancers.create(provider, new BalancerContext(service, balancerKey, balancer.options()), ticker);
    Map<String, java.util.function.Supplier<io.meshclient.api.LoadBalancer>> bySubset = new HashMap<>();
    String serviceSlowStartKey = MeshConfig.PREFIX + ".services." + service + ".slow-start";
    serviceConfig.subsetPolicies().forEach((subset, policy) -> {
      BalancerConfig own = policy.loadBalancer();
      if (own != null || policy.slowStart() != null || policy.locality() != null) {
        String subsetKey = MeshConfig.PREFIX + ".services." + service + ".subset-policies." + subset;
        BalancerConfig chosen = own != null ? own : balancer;
        String key = own != null ? subsetKey + ".load-balancer" : balancerKey;
        var ownProvider = balancerProvider(chosen.name(), key);
        // With an own balancer, the subset's slow start only, none when unset: it does not take the service's,
        // as Istio's subset loadBalancer replaces the service's whole block, warmupDurationSecs included.
        SlowStartConfig slowStart = policy.slowStart() != null || own != null ? policy.slowStart()
            : serviceConfig.slowStart();
        ServiceConfig shaping = serviceConfig.toBuilder().slowStart(slowStart)
            .locality(subsetLocality(policy, serviceConfig.locality(), subsetKey + ".locality", discovery)).build();
        String slowStartKey = policy.slowStart() != null ? subsetKey + ".slow-start" : serviceSlowStartKey;
        bySubset.put(subset, () -> TrafficShaping.balancer(slowStartKey, chosen.name(), shaping,
            () -> Balancers.create(ownProvider, new BalancerContext(service, key, chosen.options()), ticker), ticker));
      }
    });
    return new ServiceRuntime.Parts(
        subset -> subset != null && bySubset.containsKey(subset) ? bySubset.get(subset).get()
            : TrafficShaping.balancer(serviceSlowStartKey, balancer.name(), serviceConfig, base, ticker),
        (name, limit) -> {
          liveLimiters.add(name);
          return limiters.obtain(name, limit);
        },
        serviceConfig.circuitBreaker() == null ? null : breakers.obtain(service, serviceConfig.circuitBreaker()),
        budget(service, serviceConfig.retry() != null ? serviceConfig.retry() : RetryConfig.DEFAULT),
        tls(service, serviceConfig.tls()),
        allowList(serviceConfig.allowedAddresses() != null ? serviceConfig.allowedAddresses()
            : config.defaults().allowedAddresses()),
        servicePolicy, subsetPolicies(service, serviceConfig, servicePolicy), discovery);
  }

  /**
   * The locality of calls routed to a subset: the service's ({@code serviceLocality}, its zone filled in)
   * unless the subset's policy has its own, or turns it off.
   */
  private static LocalityConfig subsetLocality(SubsetPolicyConfig policy, LocalityConfig serviceLocality, String key,
      io.meshclient.api.ServiceDiscovery discovery) {
    LocalityConfig own = policy.locality();
    if (own == null) {
      return serviceLocality;
    }
    return own.equals(SubsetPolicyConfig.LOCALITY_OFF) ? null : withCallerZone(own, key, discovery);
  }

  /**
   * The detector, counter, cap and TLS of each subset whose policy sets one of them; what the policy leaves
   * out is {@code servicePolicy}'s. As Envoy's cluster per subset, a subset's own cap counts only the calls
   * routed to it, not against the service's cap.
   */
  private Map<String, SubsetPolicy> subsetPolicies(String service, ServiceConfig config, SubsetPolicy servicePolicy) {
    Map<String, SubsetPolicy> out = new HashMap<>();
    config.subsetPolicies().forEach((subset, policy) -> {
      boolean ownDetector = policy.outlierDetection() != null;
      boolean ownLimit = policy.maxConcurrentRequests() > 0;
      if (!ownDetector && !ownLimit && policy.connectTimeout() == null && policy.tls() == null) {
        return;
      }
      StateKey key = new StateKey(service, subset);
      boolean plaintext = policy.tls() == SubsetPolicyConfig.TLS_OFF; // the constant, not an equal value
      out.put(subset, new SubsetPolicy(
          ownDetector ? detector(key, policy.outlierDetection()) : servicePolicy.detector(), ownDetector,
          ownLimit ? inFlight.computeIfAbsent(key, k -> new AtomicInteger()) : servicePolicy.inFlight(),
          ownLimit ? policy.maxConcurrentRequests() : servicePolicy.maxConcurrentRequests(), ownLimit,
          policy.connectTimeout() == null ? -1 : policy.connectTimeout().toMillis(),
          policy.tls() == null || plaintext ? null : subsetTls(key, policy.tls()), plaintext));
    });
    return out;
  }

  /**
   * The TLS client of a subset with its own TLS: the current one (with its pooled connections and rotation
   * state) if its settings are unchanged.
   *
   * @throws io.meshclient.api.ConfigurationException naming the subset's key if a file does not load
   */
  private SubsetTls subsetTls(StateKey key, TlsConfig config) {
    SubsetTls current = subsetTls.get(key);
    return current != null && current.tls().config().equals(config) ? current
        : new SubsetTls(key.service(), ServiceTls.create(MeshConfig.PREFIX + ".services." + key.service()
            + ".subset-policies." + key.subset() + ".tls", config, classLoader), tlsSockets);
  }

  /**
   * The balancer provider called {@code name}, looked up once per name: the providers visible to the
   * mesh's class loader do not change while it runs.
   *
   * @throws io.meshclient.api.ConfigurationException naming {@code configKey} if there is none
   */
  private LoadBalancerProvider balancerProvider(String name, String configKey) {
    LoadBalancerProvider provider = balancerProviders.get(name);
    if (provider == null) {
      provider = Providers.loadBalancer(name, configKey, classLoader);
      balancerProviders.put(name, provider);
    }
    return provider;
  }

  /**
   * The swap is applied: the limiters and breakers it made are put in the registries; the state of the services in
   * {@code next} (and the limiters still used) is kept, the rest dropped.
   */
  void retain(Map<String, ServiceRuntime> next, Set<String> liveLimiters) {
    limiters.commit();
    limiters.removeIf(name -> !liveLimiters.contains(name));
    breakers.commit();
    budgets.putAll(swappedBudgets);
    swappedBudgets.clear();
    budgets.keySet().retainAll(next.keySet());
    // A counter whose service is gone, or whose subset no longer caps its own calls, is dropped; calls still
    // in flight hold their counter and release it there.
    inFlight.keySet().removeIf(key -> {
      ServiceRuntime runtime = next.get(key.service());
      if (runtime == null || key.subset() == null) {
        return runtime == null;
      }
      SubsetPolicy policy = runtime.subsetPolicies().get(key.subset());
      return policy == null || !policy.ownLimit();
    });
    breakers.removeIf(service -> next.get(service) == null || next.get(service).breaker() == null);
    List<OutlierDetector> before = new ArrayList<>(detectors.values());
    detectors.clear();
    tlsByService.clear();
    subsetTls.clear();
    next.forEach((name, runtime) -> {
      if (runtime.detector() != null) {
        detectors.put(new StateKey(name, null), runtime.detector());
      }
      runtime.subsetDetectors().forEach((subset, detector) -> detectors.put(new StateKey(name, subset), detector));
      if (runtime.tls() != null) {
        tlsByService.put(name, runtime.tls());
      }
      runtime.subsetPolicies().forEach((subset, policy) -> {
        if (policy.tls() != null) {
          subsetTls.put(new StateKey(name, subset), policy.tls());
        }
      });
    });
    java.util.Set<OutlierDetector> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    kept.addAll(detectors.values());
    before.stream().filter(d -> !kept.contains(d)).forEach(OutlierDetector::discard);
  }

  /**
   * Removes the mesh's limiters and breakers from the registries, and their meters: a mesh built later on the
   * same meter registry registers its own breakers' gauges. The application's own, in a registry it supplied, stay.
   */
  void close() {
    limiters.close();
    breakers.close();
  }

  private static AddressAllowList allowList(List<String> cidrs) {
    return cidrs == null ? null : AddressAllowList.of(cidrs);
  }

  /** The instances of {@code snapshot} that resolve inside the allow-list; the others are reported. */
  List<ServiceInstance> allowed(String service, AddressAllowList allowList,
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
        ReloadCallbacks.instanceRejected(listener, service, instance.id(), refusal);
      }
    }
    return out;
  }

  /**
   * The state of a service ({@code subset} null) or of one of its subsets with a policy of its own. Service
   * names hold no {@code /}, but subset names may: a record, not a joined string.
   */
  private record StateKey(String service, String subset) {}

  /**
   * The detector of a service or subset: the current one if its settings are unchanged; null when off. A
   * subset's reports its ejections under the service's name.
   */
  private OutlierDetector detector(StateKey key, OutlierConfig config) {
    OutlierConfig wanted = config != null ? config : OutlierConfig.DEFAULT;
    if (wanted.equals(ServiceConfig.OUTLIER_DETECTION_OFF)) {
      return null;
    }
    OutlierDetector current = detectors.get(key);
    return current != null && current.config().equals(wanted) ? current
        : new OutlierDetector(key.service(), wanted, ticker, ejections);
  }

  /** The TLS settings of {@code service}: the current ones (with their rotation state) if unchanged. */
  private ServiceTls tls(String service, TlsConfig config) {
    if (config == null) {
      return null;
    }
    ServiceTls current = tlsByService.get(service);
    return current != null && current.config().equals(config) ? current
        : ServiceTls.create(MeshConfig.PREFIX + ".services." + service + ".tls", config,
            classLoader);
  }

  private RetryBudget budget(String service, RetryConfig retry) {
    BudgetSlot current = budgets.get(service);
    if (current != null && current.percent == retry.budgetPercent() && current.minPerSecond == retry.budgetMinPerSecond()) {
      return current.budget;
    }
    BudgetSlot slot = new BudgetSlot(retry.budgetPercent(), retry.budgetMinPerSecond(),
        new RetryBudget(retry.budgetPercent(), retry.budgetMinPerSecond(), ticker));
    swappedBudgets.put(service, slot);
    return slot.budget;
  }

  private record BudgetSlot(int percent, int minPerSecond, RetryBudget budget) {}

  /** The swap under way is refused: what it made is forgotten, the limiters, breakers and budgets in force stay. */
  void discard() {
    limiters.discard();
    breakers.discard();
    swappedBudgets.clear();
  }
}
