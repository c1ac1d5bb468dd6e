package io.meshclient.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the mesh does for calls to one service. Values left null take the mesh's {@link
 * MeshConfig#defaults()}.
 *
 * @param name the service name used as the host of request URLs
 * @param discovery the discovery provider that lists its instances, or null for the only one configured
 * @param loadBalancer the balancer, or null for the default
 * @param timeout the read and write timeout of each attempt (not of the whole call: that is {@code
 *     retry.deadline}), or null for the default
 * @param subsets subset name to the instance metadata it selects (all entries must match)
 * @param routes the rules, first match wins; a request no rule matches goes to all instances
 * @param rateLimit the service-wide token bucket, or null for none
 * @param maxConcurrentRequests the most requests in flight at once; 0 takes the default
 * @param circuitBreaker the service's circuit breaker, or null for none
 * @param retry the retry policy of its routes, or null for {@link RetryConfig#DEFAULT}
 * @param outlierDetection passive health checking, or null for {@link OutlierConfig#DEFAULT}; {@link
 *     #OUTLIER_DETECTION_OFF} turns it off
 * @param tls mutual TLS to the instances, or null for plain HTTP (or the instances' own https)
 * @param allowedAddresses CIDR blocks the instances must resolve into, or null for the default's
 * @param connectTimeout the TCP (and TLS) connect timeout, or null for the default
 * @param slowStart slow start of new and returning instances, or null for none
 * @param locality zone-aware routing, or null for none
 * @param subsetPolicies per subset name, what calls routed to that subset do differently
 */
public record ServiceConfig(
    String name,
    String discovery,
    BalancerConfig loadBalancer,
    Duration timeout,
    Map<String, Map<String, String>> subsets,
    List<RouteConfig> routes,
    RateLimitConfig rateLimit,
    int maxConcurrentRequests,
    BreakerConfig circuitBreaker,
    RetryConfig retry,
    OutlierConfig outlierDetection,
    TlsConfig tls,
    List<String> allowedAddresses,
    Duration connectTimeout,
    SlowStartConfig slowStart,
    LocalityConfig locality,
    Map<String, SubsetPolicyConfig> subsetPolicies) {

  /** Outlier detection that never ejects. */
  public static final OutlierConfig OUTLIER_DETECTION_OFF =
      new OutlierConfig(Integer.MAX_VALUE, java.time.Duration.ZERO, java.time.Duration.ZERO, 0, 0);

  public ServiceConfig {
    Objects.requireNonNull(name, "name");
    Map<String, Map<String, String>> frozen = new LinkedHashMap<>();
    if (subsets != null) {
      subsets.forEach((k, v) -> frozen.put(k, v == null ? Map.of() : Map.copyOf(v)));
    }
    subsets = java.util.Collections.unmodifiableMap(frozen);
    routes = routes == null ? List.of() : List.copyOf(routes);
    allowedAddresses = allowedAddresses == null ? null : List.copyOf(allowedAddresses);
    subsetPolicies = subsetPolicies == null ? Map.of() : Map.copyOf(subsetPolicies);
  }

  /**
   * Why {@code name} is not a valid service name (a lower-case host name: letters, digits, '-' and
   * '.'), as the "expected" part of an error, or null if it is one. Applies to names from every source:
   * configuration, discovery listings, clients.
   */
  public static String nameProblem(String name) {
    return ConfigValidator.isServiceName(name) ? null : ConfigValidator.SERVICE_NAME_EXPECTED;
  }

  /** A builder for the service called {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.discovery = discovery;
    b.loadBalancer = loadBalancer;
    b.timeout = timeout;
    b.subsets.putAll(subsets);
    b.routes.addAll(routes);
    b.rateLimit = rateLimit;
    b.maxConcurrentRequests = maxConcurrentRequests;
    b.circuitBreaker = circuitBreaker;
    b.retry = retry;
    b.outlierDetection = outlierDetection;
    b.slowStart = slowStart;
    b.locality = locality;
    b.subsetPolicies.putAll(subsetPolicies);
    b.tls = tls;
    b.allowedAddresses = allowedAddresses;
    b.connectTimeout = connectTimeout;
    return b;
  }

  /** Collects a {@link ServiceConfig}; {@link #build()} checks only nulls, {@link MeshConfig} validates. */
  public static final class Builder {
    private final String name;
    private String discovery;
    private BalancerConfig loadBalancer;
    private Duration timeout;
    private final Map<String, Map<String, String>> subsets = new LinkedHashMap<>();
    private final List<RouteConfig> routes = new ArrayList<>();
    private RateLimitConfig rateLimit;
    private int maxConcurrentRequests;
    private BreakerConfig circuitBreaker;
    private RetryConfig retry;
    private OutlierConfig outlierDetection;
    private SlowStartConfig slowStart;
    private LocalityConfig locality;
    private final Map<String, SubsetPolicyConfig> subsetPolicies = new LinkedHashMap<>();
    private TlsConfig tls;
    private List<String> allowedAddresses;
    private Duration connectTimeout;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** Names the discovery provider that lists the instances, such as {@code static} or {@code consul}. */
    public Builder discovery(String discoveryName) {
      this.discovery = discoveryName;
      return this;
    }

    /** Uses the named balancer without options. */
    public Builder loadBalancer(String balancerName) {
      this.loadBalancer = BalancerConfig.named(balancerName);
      return this;
    }

    public Builder loadBalancer(BalancerConfig balancer) {
      this.loadBalancer = balancer;
      return this;
    }

    public Builder timeout(Duration callTimeout) {
      this.timeout = callTimeout;
      return this;
    }

    /** Adds a subset of the instances whose metadata contains every entry of {@code selector}. */
    public Builder subset(String subsetName, Map<String, String> selector) {
      subsets.put(Objects.requireNonNull(subsetName, "subsetName"), selector);
      return this;
    }

    /** Appends a route; routes are tried in the order added. */
    public Builder route(RouteConfig route) {
      routes.add(Objects.requireNonNull(route, "route"));
      return this;
    }

    public Builder rateLimit(RateLimitConfig limit) {
      this.rateLimit = limit;
      return this;
    }

    public Builder maxConcurrentRequests(int max) {
      this.maxConcurrentRequests = max;
      return this;
    }

    /** Adds a circuit breaker. */
    public Builder circuitBreaker(BreakerConfig breaker) {
      this.circuitBreaker = breaker;
      return this;
    }

    /** Sets the retry policy; {@link RetryConfig#NONE} disables retries. */
    public Builder retry(RetryConfig policy) {
      this.retry = policy;
      return this;
    }

    /** Ramps new and returning instances up; null for none. */
    public Builder slowStart(SlowStartConfig config) {
      this.slowStart = config;
      return this;
    }

    /** Routes by zone; null for none. */
    public Builder locality(LocalityConfig config) {
      this.locality = config;
      return this;
    }

    /** Sets what calls routed to subset {@code subsetName} do differently; null removes it. */
    public Builder subsetPolicy(String subsetName, SubsetPolicyConfig policy) {
      Objects.requireNonNull(subsetName, "subsetName");
      if (policy == null) {
        subsetPolicies.remove(subsetName);
      } else {
        subsetPolicies.put(subsetName, policy);
      }
      return this;
    }

    /** Sets outlier detection; {@link ServiceConfig#OUTLIER_DETECTION_OFF} disables it. */
    public Builder outlierDetection(OutlierConfig outliers) {
      this.outlierDetection = outliers;
      return this;
    }

    /** Sets mutual TLS to the instances. */
    public Builder tls(TlsConfig settings) {
      this.tls = settings;
      return this;
    }

    /** Limits the instances to these CIDR blocks, checked on their resolved addresses. */
    public Builder allowedAddresses(List<String> cidrs) {
      this.allowedAddresses = cidrs;
      return this;
    }

    public Builder connectTimeout(Duration timeoutToConnect) {
      this.connectTimeout = timeoutToConnect;
      return this;
    }

    public ServiceConfig build() {
      return new ServiceConfig(name, discovery, loadBalancer, timeout, subsets, routes, rateLimit,
          maxConcurrentRequests, circuitBreaker, retry, outlierDetection, tls, allowedAddresses, connectTimeout,
          slowStart, locality, subsetPolicies);
    }
  }
}
