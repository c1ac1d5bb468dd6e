package io.meshclient.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.ServiceDefaults;
import io.meshclient.core.ratelimit.GcraRateLimiter;
import io.meshclient.core.resilience.OutlierDetector;
import io.meshclient.core.resilience.RetryBudget;
import io.meshclient.core.routing.RouteTable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Everything the request path reads for one service, as one immutable snapshot: routes, subsets with
 * their instances and balancers, limiters, the concurrency counter and timeouts. Configuration changes
 * and discovery updates build a new snapshot; calls in flight keep the one they started with.
 */
public final class ServiceRuntime {
  final String name;
  final ServiceConfig config;
  final RouteTable routes;
  final SubsetRuntime all;
  final SubsetRuntime[] subsets;
  final GcraRateLimiter limiter;
  final GcraRateLimiter[] routeLimiters;
  final AtomicInteger inFlight;
  final int maxConcurrentRequests;
  final long timeoutMillis;
  final long[] routeTimeoutMillis;
  final long connectTimeoutMillis;
  final long[] routeConnectTimeoutMillis;
  final List<ServiceInstance> instances;
  final java.util.IdentityHashMap<ServiceInstance, InstanceUrls> urls;
  final CircuitBreaker breaker;
  final OutlierDetector detector;
  final RetryBudget budget;
  final RetryConfig retry;
  final RetryConfig[] routeRetries;
  final FaultConfig[] routeFaults;
  final io.meshclient.core.config.MirrorConfig[] routeMirrors;
  final AtomicInteger[] mirrorsInFlight;
  final io.meshclient.core.tls.ServiceTls tls;
  final io.meshclient.core.security.AddressAllowList allowList;

  /** The parts of a service that outlive one snapshot: shared state, reused across updates. */
  record Parts(Function<String, LoadBalancer> balancers,
      BiFunction<String, io.meshclient.core.config.RateLimitConfig, GcraRateLimiter> limiters,
      AtomicInteger inFlight, CircuitBreaker breaker, OutlierDetector detector, RetryBudget budget,
      io.meshclient.core.tls.ServiceTls tls, io.meshclient.core.security.AddressAllowList allowList) {}

  private ServiceRuntime(ServiceRuntime base, SubsetRuntime all, SubsetRuntime[] subsets,
      List<ServiceInstance> instances) {
    this.name = base.name;
    this.config = base.config;
    this.routes = base.routes;
    this.limiter = base.limiter;
    this.routeLimiters = base.routeLimiters;
    this.inFlight = base.inFlight;
    this.maxConcurrentRequests = base.maxConcurrentRequests;
    this.timeoutMillis = base.timeoutMillis;
    this.routeTimeoutMillis = base.routeTimeoutMillis;
    this.connectTimeoutMillis = base.connectTimeoutMillis;
    this.routeConnectTimeoutMillis = base.routeConnectTimeoutMillis;
    this.breaker = base.breaker;
    this.detector = base.detector;
    this.budget = base.budget;
    this.retry = base.retry;
    this.routeRetries = base.routeRetries;
    this.routeFaults = base.routeFaults;
    this.routeMirrors = base.routeMirrors;
    this.mirrorsInFlight = base.mirrorsInFlight;
    this.tls = base.tls;
    this.allowList = base.allowList;
    this.all = all;
    this.subsets = subsets;
    this.instances = instances;
    this.urls = urls(instances, tls != null, base.urls);
  }

  /** URL rewriters per instance, reusing those of instances already known (same object). */
  private static java.util.IdentityHashMap<ServiceInstance, InstanceUrls> urls(List<ServiceInstance> instances,
      boolean tls, java.util.IdentityHashMap<ServiceInstance, InstanceUrls> previous) {
    java.util.IdentityHashMap<ServiceInstance, InstanceUrls> out = new java.util.IdentityHashMap<>(instances.size() * 2);
    for (ServiceInstance instance : instances) {
      InstanceUrls known = previous == null ? null : previous.get(instance);
      out.put(instance, known != null ? known : new InstanceUrls(instance, tls));
    }
    return out;
  }

  /** {@code url} sent to {@code instance}: its scheme (https with TLS settings), host and port. */
  public okhttp3.HttpUrl rewrite(okhttp3.HttpUrl url, ServiceInstance instance) {
    InstanceUrls rewriter = urls.get(instance);
    if (rewriter == null) {
      rewriter = new InstanceUrls(instance, tls != null);
    }
    return rewriter.rewrite(url);
  }

  /**
   * @param parts balancers per subset name (null: the whole service), limiters by name and settings,
   *     and the state shared with earlier snapshots
   */
  ServiceRuntime(ServiceConfig config, ServiceDefaults defaults, Parts parts, List<ServiceInstance> instances) {
    Function<String, LoadBalancer> balancers = parts.balancers();
    BiFunction<String, io.meshclient.core.config.RateLimitConfig, GcraRateLimiter> limiters = parts.limiters();
    this.name = config.name();
    this.config = config;
    this.routes = RouteTable.compile(config);
    this.instances = instances;
    this.all = new SubsetRuntime(null, Map.of(), instances, balancers.apply(null));
    List<String> subsetNames = routes.subsetNames();
    this.subsets = new SubsetRuntime[subsetNames.size()];
    for (int i = 0; i < subsets.length; i++) {
      String subset = subsetNames.get(i);
      subsets[i] = new SubsetRuntime(subset, config.subsets().get(subset), instances, balancers.apply(subset));
    }
    this.limiter = config.rateLimit() == null ? null : limiters.apply(name, config.rateLimit());
    List<RouteConfig> routeConfigs = config.routes();
    this.routeLimiters = new GcraRateLimiter[routeConfigs.size()];
    this.routeTimeoutMillis = new long[routeConfigs.size()];
    this.timeoutMillis = (config.timeout() != null ? config.timeout() : defaults.timeout()).toMillis();
    for (int i = 0; i < routeConfigs.size(); i++) {
      RouteConfig route = routeConfigs.get(i);
      if (route.rateLimit() != null) {
        routeLimiters[i] = limiters.apply(name + "/" + routes.routes().get(i).name(), route.rateLimit());
      }
      routeTimeoutMillis[i] = route.timeout() != null ? route.timeout().toMillis() : timeoutMillis;
    }
    this.inFlight = parts.inFlight();
    this.breaker = parts.breaker();
    this.detector = parts.detector();
    this.budget = parts.budget();
    this.tls = parts.tls();
    this.allowList = parts.allowList();
    this.urls = urls(instances, tls != null, null);
    this.retry = config.retry() != null ? config.retry() : RetryConfig.DEFAULT;
    this.routeRetries = new RetryConfig[routeConfigs.size()];
    this.routeFaults = new FaultConfig[routeConfigs.size()];
    this.routeMirrors = new io.meshclient.core.config.MirrorConfig[routeConfigs.size()];
    this.mirrorsInFlight = new AtomicInteger[routeConfigs.size()];
    for (int i = 0; i < routeConfigs.size(); i++) {
      routeRetries[i] = routeConfigs.get(i).retry() != null ? routeConfigs.get(i).retry() : retry;
      routeFaults[i] = routeConfigs.get(i).fault();
      routeMirrors[i] = routeConfigs.get(i).mirror();
      mirrorsInFlight[i] = new AtomicInteger();
    }
    this.maxConcurrentRequests = config.maxConcurrentRequests() > 0
        ? config.maxConcurrentRequests() : defaults.maxConcurrentRequests();
    this.connectTimeoutMillis = (config.connectTimeout() != null ? config.connectTimeout()
        : defaults.connectTimeout()).toMillis();
    this.routeConnectTimeoutMillis = new long[routeConfigs.size()];
    for (int i = 0; i < routeConfigs.size(); i++) {
      routeConnectTimeoutMillis[i] = routeConfigs.get(i).connectTimeout() != null
          ? routeConfigs.get(i).connectTimeout().toMillis() : connectTimeoutMillis;
    }
  }

  /** The same service with another instance list, keeping balancers, limiters and counters. */
  ServiceRuntime withInstances(List<ServiceInstance> newInstances) {
    SubsetRuntime[] newSubsets = new SubsetRuntime[subsets.length];
    for (int i = 0; i < subsets.length; i++) {
      newSubsets[i] = subsets[i].withInstances(newInstances);
    }
    return new ServiceRuntime(this, all.withInstances(newInstances), newSubsets, newInstances);
  }

  public String name() {
    return name;
  }

  public ServiceConfig config() {
    return config;
  }

  public RouteTable routes() {
    return routes;
  }

  /** The whole service, taken when no route matches. */
  public SubsetRuntime all() {
    return all;
  }

  /** The subset with the given index in {@link RouteTable#subsetNames()}. */
  public SubsetRuntime subset(int index) {
    return subsets[index];
  }

  /** The service-wide limiter, or null. */
  public GcraRateLimiter limiter() {
    return limiter;
  }

  /** The limiter of the route with that index, or null. */
  public GcraRateLimiter routeLimiter(int routeIndex) {
    return routeLimiters[routeIndex];
  }

  /** Requests in flight now, shared across reconfigurations. */
  public AtomicInteger inFlight() {
    return inFlight;
  }

  public int maxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  /** The timeout of a call on the route with that index, or of the service for -1. */
  public long timeoutMillis(int routeIndex) {
    return routeIndex < 0 ? timeoutMillis : routeTimeoutMillis[routeIndex];
  }

  /** The connect timeout of the route with that index, or of the service for -1. */
  public long connectTimeoutMillis(int routeIndex) {
    return routeIndex < 0 ? connectTimeoutMillis : routeConnectTimeoutMillis[routeIndex];
  }

  /** The circuit breaker, or null. */
  public CircuitBreaker breaker() {
    return breaker;
  }

  /** The outlier detector, or null when outlier detection is off. */
  public OutlierDetector detector() {
    return detector;
  }

  public RetryBudget budget() {
    return budget;
  }

  /** The retry policy of the route with that index, or of the service for -1. */
  public RetryConfig retry(int routeIndex) {
    return routeIndex < 0 ? retry : routeRetries[routeIndex];
  }

  /** The faults of the route with that index, or null. */
  public FaultConfig fault(int routeIndex) {
    return routeIndex < 0 ? null : routeFaults[routeIndex];
  }

  /** The mirror of the route with that index, or null. */
  public io.meshclient.core.config.MirrorConfig mirror(int routeIndex) {
    return routeIndex < 0 ? null : routeMirrors[routeIndex];
  }

  /** Copies of the route's requests in flight now. */
  public AtomicInteger mirrorsInFlight(int routeIndex) {
    return mirrorsInFlight[routeIndex];
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

  /** The service's TLS settings, or null. */
  public io.meshclient.core.tls.ServiceTls tls() {
    return tls;
  }

  /** The networks instances must be in, or null for no limit. */
  public io.meshclient.core.security.AddressAllowList allowList() {
    return allowList;
  }

  /** All instances of the service, as last discovered. */
  public List<ServiceInstance> instances() {
    return instances;
  }
}
