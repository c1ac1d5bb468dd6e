package io.meshclient.core;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.ratelimit.GcraRateLimiter;
import io.meshclient.core.internal.routing.Route;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a mesh routes at one moment, from {@link Mesh#snapshot()}: each service's instances (with their
 * ejection state), subsets, route table, rate-limiter headroom, calls in flight and circuit-breaker
 * state. For admin pages, health checks and tests; the Spring starter's {@code /actuator/mesh} and
 * health indicator are built on it. Immutable. Holds no discovery settings, so no address book
 * credentials or tokens.
 *
 * @param services every service the mesh routes, by name, sorted
 */
public record MeshSnapshot(Map<String, ServiceState> services) {
  public MeshSnapshot {
    services = Collections.unmodifiableMap(new TreeMap<>(services));
  }

  static MeshSnapshot of(MeshRuntime runtime) {
    String defaultBalancer = runtime.config().defaults().loadBalancer().name();
    Map<String, ServiceState> services = new TreeMap<>();
    runtime.services().forEach((name, service) -> services.put(name, state(service, defaultBalancer)));
    return new MeshSnapshot(services);
  }

  private static ServiceState state(ServiceRuntime s, String defaultBalancer) {
    Set<String> ejected = s.detector() == null ? new HashSet<>() : new HashSet<>(s.detector().ejected());
    s.subsetDetectors().values().forEach(d -> ejected.addAll(d.ejected()));
    List<InstanceState> instances = new ArrayList<>();
    for (ServiceInstance i : s.instances()) {
      instances.add(new InstanceState(i, (i.secure() || s.tls() != null ? "https://" : "http://") + i.authority(),
          ejected.contains(i.id())));
    }
    Map<String, List<String>> subsets = new LinkedHashMap<>();
    List<String> names = s.routes().subsetNames();
    for (int k = 0; k < names.size(); k++) {
      subsets.put(names.get(k), s.subset(k).instances().stream().map(ServiceInstance::id).toList());
    }
    List<RouteState> routes = new ArrayList<>();
    for (Route route : s.routes().routes()) {
      routes.add(new RouteState(route.name(), route.config(), limiter(s.plan(route.index()).limiter())));
    }
    return new ServiceState(s.name(), s.config(),
        s.config().loadBalancer() != null ? s.config().loadBalancer().name() : defaultBalancer, instances, subsets,
        routes, limiter(s.limiter()), s.inFlight().get(), s.maxConcurrentRequests(),
        s.breaker() == null ? null : s.breaker().getState().name(),
        s.tls() == null || s.tls().identity() == null ? null : s.tls().identity().expected());
  }

  private static LimiterState limiter(GcraRateLimiter limiter) {
    return limiter == null ? null : new LimiterState(limiter.getName(), limiter.config(), limiter.availablePermissions());
  }

  /**
   * One service as the request path sees it now.
   *
   * @param config its configuration in force
   * @param loadBalancer the name of the balancer its calls use
   * @param instances every discovered instance, in discovery order
   * @param subsets each subset the routes name, with the ids of the instances it selects now, in
   *     route-table order
   * @param routes the route table, in match order
   * @param rateLimit the service's rate limit, or null without one
   * @param inFlight calls under way now
   * @param maxConcurrentRequests the cap on calls in flight
   * @param circuitBreaker the breaker's state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}...),
   *     or null without a breaker
   * @param peerIdentity what instances must prove over TLS, or null without TLS or without a check
   */
  public record ServiceState(String name, ServiceConfig config, String loadBalancer, List<InstanceState> instances,
      Map<String, List<String>> subsets, List<RouteState> routes, LimiterState rateLimit, int inFlight,
      int maxConcurrentRequests, String circuitBreaker, String peerIdentity) {
    public ServiceState {
      instances = List.copyOf(instances);
      subsets = Collections.unmodifiableMap(new LinkedHashMap<>(subsets));
      routes = List.copyOf(routes);
    }

    /** The instances not ejected by outlier detection. */
    public List<InstanceState> healthyInstances() {
      return instances.stream().filter(i -> !i.ejected()).toList();
    }
  }

  /**
   * One discovered instance.
   *
   * @param url the base URL calls to it use ({@code https} with TLS)
   * @param ejected whether outlier detection has taken it out of rotation now: the service's detector, or
   *     the own detector of a subset it belongs to (then only for calls routed to that subset)
   */
  public record InstanceState(ServiceInstance instance, String url, boolean ejected) {}

  /**
   * One route.
   *
   * @param name its name (given, or {@code route-<index>})
   * @param rateLimit the route's own rate limit, or null without one
   */
  public record RouteState(String name, RouteConfig config, LimiterState rateLimit) {}

  /**
   * A rate limiter.
   *
   * @param name its name in the mesh's {@code RateLimiterRegistry}
   * @param headroom the permits it would grant right now
   */
  public record LimiterState(String name, RateLimitConfig config, int headroom) {}
}
