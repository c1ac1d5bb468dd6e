package io.meshclient.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.ServiceDefaults;
import io.meshclient.core.internal.ratelimit.GcraRateLimiter;
import io.meshclient.core.internal.resilience.OutlierDetector;
import io.meshclient.core.internal.resilience.RetryBudget;
import io.meshclient.core.internal.routing.RouteTable;
import io.meshclient.core.internal.security.AddressAllowList;
import io.meshclient.core.internal.tls.ServiceTls;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import okhttp3.HttpUrl;

/**
 * Everything the request path reads for one service, as one immutable snapshot: routes, subsets with
 * their instances and balancers, limiters, the concurrency counter and timeouts. A configuration change
 * builds a new snapshot; a discovery update builds one that shares the same {@link Settings} and only
 * re-selects the instances. Calls in flight keep the snapshot they started with.
 */
public final class ServiceRuntime {
  private final Settings settings;
  private final SubsetRuntime all;
  private final SubsetRuntime[] subsets;
  private final List<ServiceInstance> instances;
  private final InstanceIndex<InstanceUrls> urls;
  /**
   * The service's own TLS client while another service lists one of its TLS instance addresses too, else null: set
   * by {@link AddressPublisher} as it publishes the addresses, kept by {@link #withInstances}.
   */
  private volatile io.meshclient.core.internal.tls.SubsetTls sharedAddressTls;

  /**
   * The parts of a service that outlive one snapshot: shared state, reused across updates.
   *
   * @param service the detector, counter and cap of calls routed to the whole service or to a subset
   *     without a policy of its own
   * @param subsets the same for each subset with a policy of its own, by name
   * @param discovery the discovery listing its instances, asked why a subset has none; null if none
   */
  record Parts(Function<String, LoadBalancer> balancers, BiFunction<String, RateLimitConfig, GcraRateLimiter> limiters,
      CircuitBreaker breaker, RetryBudget budget, ServiceTls tls, AddressAllowList allowList, SubsetPolicy service,
      Map<String, SubsetPolicy> subsets, io.meshclient.api.ServiceDiscovery discovery) {}

  /** What a configuration decides for the service, shared by every snapshot built from it. */
  private record Settings(ServiceConfig config, RouteTable routes, RoutePlan[] plans, RoutePlan defaultPlan,
      GcraRateLimiter limiter, Parts parts) {}

  /**
   * @param parts balancers per subset name (null: the whole service), limiters by name and settings,
   *     and the state shared with earlier snapshots
   */
  ServiceRuntime(ServiceConfig config, ServiceDefaults defaults, Parts parts, List<ServiceInstance> instances) {
    this.settings = settings(config, defaults, parts);
    Function<String, LoadBalancer> balancers = parts.balancers();
    this.instances = instances;
    boolean tls = parts.tls() != null;
    this.all = new SubsetRuntime(null, Map.of(), instances, balancers.apply(null), parts.service(), tls);
    List<String> subsetNames = settings.routes().subsetNames();
    this.subsets = new SubsetRuntime[subsetNames.size()];
    for (int i = 0; i < subsets.length; i++) {
      String subset = subsetNames.get(i);
      subsets[i] = new SubsetRuntime(subset, config.subsets().get(subset), instances, balancers.apply(subset),
          parts.subsets().getOrDefault(subset, parts.service()), tls);
    }
    this.urls = InstanceIndex.<InstanceUrls>empty().next(instances, instance -> new InstanceUrls(instance, tls));
  }

  private ServiceRuntime(ServiceRuntime base, List<ServiceInstance> newInstances) {
    this.settings = base.settings;
    this.instances = newInstances;
    this.all = base.all.withInstances(newInstances).prepared();
    this.subsets = new SubsetRuntime[base.subsets.length];
    for (int i = 0; i < subsets.length; i++) {
      subsets[i] = base.subsets[i].withInstances(newInstances).prepared();
    }
    boolean tls = base.tls() != null;
    this.urls = base.urls.next(newInstances, instance -> new InstanceUrls(instance, tls));
    this.sharedAddressTls = base.sharedAddressTls;
  }

  private static Settings settings(ServiceConfig config, ServiceDefaults defaults, Parts parts) {
    RouteTable routes = RouteTable.compile(config);
    long timeout = (config.timeout() != null ? config.timeout() : defaults.timeout()).toMillis();
    long connectTimeout = (config.connectTimeout() != null ? config.connectTimeout()
        : defaults.connectTimeout()).toMillis();
    RetryConfig retry = config.retry() != null ? config.retry() : RetryConfig.DEFAULT;
    GcraRateLimiter limiter = config.rateLimit() == null ? null
        : parts.limiters().apply(config.name(), config.rateLimit());
    List<io.meshclient.core.internal.routing.Route> compiled = routes.routes();
    RoutePlan[] plans = new RoutePlan[compiled.size()];
    for (int i = 0; i < plans.length; i++) {
      io.meshclient.core.internal.routing.Route route = compiled.get(i);
      RouteConfig rc = route.config();
      plans[i] = new RoutePlan(route,
          rc.rateLimit() == null ? null : parts.limiters().apply(config.name() + "/" + route.name(), rc.rateLimit()),
          rc.timeout() != null ? rc.timeout().toMillis() : timeout,
          rc.connectTimeout() != null ? rc.connectTimeout().toMillis() : connectTimeout,
          rc.retry() != null ? rc.retry() : retry);
    }
    return new Settings(config, routes, plans, new RoutePlan(null, null, timeout, connectTimeout, retry), limiter,
        parts);
  }

  /** The same service with another instance list, keeping balancers, limiters and counters. */
  ServiceRuntime withInstances(List<ServiceInstance> newInstances) {
    return new ServiceRuntime(this, newInstances);
  }

  /**
   * {@code url} sent to {@code instance} in a call routed to {@code subset} (of this service): its scheme
   * (https with the subset's TLS, by default the service's), host and port.
   *
   * @throws java.net.ConnectException if the instance's host cannot be put in a URL
   */
  public HttpUrl rewrite(HttpUrl url, ServiceInstance instance, SubsetRuntime subset)
      throws java.net.ConnectException {
    InstanceIndex<InstanceUrls> index = subset.urls != null ? subset.urls : urls;
    InstanceUrls rewriter = index.get(instance);
    if (rewriter == null) {
      rewriter = new InstanceUrls(instance, subset.encrypts());
    }
    return rewriter.rewrite(url);
  }

  public String name() {
    return settings.config().name();
  }

  public ServiceConfig config() {
    return settings.config();
  }

  /**
   * The failure of a call that found no instance in {@code subset}: when the subset has no instance at
   * all, it ends with what the service's discovery says about why (an xDS cluster refused, say), else
   * with whether the discovery lists none or the subset's labels match none of the instances it lists
   * (a typo in {@code subsets} or in the instances' metadata). Off the hot path: only a call that fails
   * asks.
   */
  public io.meshclient.api.NoHealthyInstanceException noInstance(SubsetRuntime subset) {
    String reason = null;
    io.meshclient.api.ServiceDiscovery discovery = settings.parts().discovery();
    if (discovery != null && subset.instances.isEmpty()) {
      try {
        reason = discovery.whyNoInstances(name(), subset.selector == null ? Map.of() : subset.selector);
      } catch (RuntimeException e) {
        reason = null; // a discovery's bug must not replace the call's error
      }
    }
    if (reason == null && subset.instances.isEmpty()) {
      reason = all.instances.isEmpty() ? allowList() == null ? "its discovery lists no instance of it"
          // the instances may all be outside the allow-list: saying the discovery lists none would send the
          // reader to the registry, which lists them
          : "its discovery lists no instance of it inside allowed-addresses (an instance outside is dropped "
              + "and logged at WARNING)"
          : "none of its instances has the subset's labels "
              + new java.util.TreeMap<>(subset.selector).toString().replace("\r", "\\r").replace("\n", "\\n");
    }
    if (reason == null && !subset.instances.isEmpty()) {
      // listed, yet no candidate: the outlier detector ejected every one (with a panic threshold of 0%)
      int n = subset.instances.size();
      reason = (n == 1 ? "its only instance is" : "all " + n + " of its instances are")
          + " ejected by outlier detection";
    }
    return new io.meshclient.api.NoHealthyInstanceException(name(), subset.name(), reason);
  }

  public RouteTable routes() {
    return settings.routes();
  }

  /** The whole service, taken when no route matches. */
  public SubsetRuntime all() {
    return all;
  }

  /** The subset with the given index in {@link RouteTable#subsetNames()}. */
  public SubsetRuntime subset(int index) {
    return subsets[index];
  }

  /** The subset called {@code name}, or null. */
  public SubsetRuntime subset(String name) {
    for (SubsetRuntime subset : subsets) {
      if (subset.name.equals(name)) {
        return subset;
      }
    }
    return null;
  }

  /** The service-wide limiter, or null. */
  public GcraRateLimiter limiter() {
    return settings.limiter();
  }

  /**
   * The plan of the first route whose conditions hold for {@code request}, or the default plan when none
   * does. Allocates nothing.
   */
  public RoutePlan plan(io.meshclient.api.RequestContext request) {
    io.meshclient.core.internal.routing.Route route = settings.routes().match(request);
    return route == null ? settings.defaultPlan() : settings.plans()[route.index()];
  }

  /** The plan of the route with that index in {@link #routes()}. */
  public RoutePlan plan(int routeIndex) {
    return settings.plans()[routeIndex];
  }

  /** The plan for requests no route matches. */
  public RoutePlan defaultPlan() {
    return settings.defaultPlan();
  }

  /**
   * Requests in flight now, shared across reconfigurations: all but those routed to a subset with its own
   * {@code max-concurrent-requests}.
   */
  public AtomicInteger inFlight() {
    return settings.parts().service().inFlight();
  }

  /** The service's cap on requests in flight (a subset may have its own). */
  public int maxConcurrentRequests() {
    return settings.parts().service().maxConcurrentRequests();
  }

  /** The circuit breaker, or null. */
  public CircuitBreaker breaker() {
    return settings.parts().breaker();
  }

  /**
   * The service's outlier detector, or null when outlier detection is off: it serves the calls routed to
   * the whole service and to subsets without a detector of their own.
   */
  public OutlierDetector detector() {
    return settings.parts().service().detector();
  }

  /** The policies of the subsets that set one of their own, by subset name. */
  Map<String, SubsetPolicy> subsetPolicies() {
    return settings.parts().subsets();
  }

  /** The detectors of the subsets that have their own, by subset name; detection off is left out. */
  public Map<String, OutlierDetector> subsetDetectors() {
    Map<String, OutlierDetector> out = new java.util.LinkedHashMap<>();
    settings.parts().subsets().forEach((subset, policy) -> {
      if (policy.ownDetector() && policy.detector() != null) {
        out.put(subset, policy.detector());
      }
    });
    return out;
  }

  public RetryBudget budget() {
    return settings.parts().budget();
  }

  /**
   * The TLS client of calls routed to {@code subset} (of this service) that they put on their chain: the subset's
   * own, else the service's own while another service shares one of its instance addresses, else null (the
   * mesh client's, which chooses by address).
   */
  public io.meshclient.core.internal.tls.SubsetTls tlsClient(SubsetRuntime subset) {
    io.meshclient.core.internal.tls.SubsetTls own = subset.ownTls();
    if (own != null) {
      return own;
    }
    io.meshclient.core.internal.tls.SubsetTls shared = sharedAddressTls;
    return shared == null || subset.turnsTlsOff() ? null : shared;
  }

  void sharedAddressTls(io.meshclient.core.internal.tls.SubsetTls client) {
    this.sharedAddressTls = client;
  }

  /** The service's TLS settings, or null. */
  public ServiceTls tls() {
    return settings.parts().tls();
  }

  /** The networks instances must be in, or null for no limit. */
  public AddressAllowList allowList() {
    return settings.parts().allowList();
  }

  /** All instances of the service, as last discovered. */
  public List<ServiceInstance> instances() {
    return instances;
  }
}
