package io.meshclient.spring.boot.actuate;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.BalancerConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.ratelimit.GcraRateLimiter;
import io.meshclient.core.routing.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/mesh}: the services the mesh routes, with their instances, subsets, route tables,
 * rate-limiter headroom and requests in flight; {@code /actuator/mesh/decisions}: recent routing
 * decisions. Discovery settings (addresses, ACL tokens) are never shown, and header values of
 * credential-like headers in route conditions are masked.
 */
@Endpoint(id = "mesh")
public class MeshEndpoint {
  private final Mesh mesh;
  private final MeshDecisionLog decisions;

  /** @param decisions the decision log, or null when decisions are not recorded */
  public MeshEndpoint(Mesh mesh, MeshDecisionLog decisions) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.decisions = decisions;
  }

  /** Every service, by name. */
  @ReadOperation
  public MeshDescriptor mesh() {
    Map<String, ServiceDescriptor> services = new TreeMap<>();
    mesh.runtime().services().forEach((name, runtime) -> services.put(name, service(runtime)));
    return new MeshDescriptor(mesh.config().discovery().keySet().stream().toList(),
        mesh.config().defaults().loadBalancer().name(), services);
  }

  /** {@code decisions}: the recent routing decisions, newest first; any other name is not found. */
  @ReadOperation
  public List<MeshDecisionLog.Decision> decisions(@Selector String name) {
    if (!"decisions".equals(name)) {
      return null;
    }
    return decisions == null ? List.of() : decisions.recent();
  }

  private ServiceDescriptor service(ServiceRuntime runtime) {
    java.util.Set<String> ejected = runtime.detector() == null ? java.util.Set.of()
        : new java.util.HashSet<>(runtime.detector().ejected());
    List<InstanceDescriptor> instances = new ArrayList<>();
    for (ServiceInstance i : runtime.instances()) {
      instances.add(new InstanceDescriptor(i.id(),
          (i.secure() || runtime.tls() != null ? "https://" : "http://") + i.authority(), i.weight(), i.metadata(),
          i.zone(), ejected.contains(i.id()) ? "EJECTED" : "UP"));
    }
    Map<String, SubsetDescriptor> subsets = new LinkedHashMap<>();
    List<String> names = runtime.routes().subsetNames();
    for (int s = 0; s < names.size(); s++) {
      subsets.put(names.get(s), new SubsetDescriptor(runtime.config().subsets().get(names.get(s)),
          runtime.subset(s).instances().stream().map(ServiceInstance::id).toList()));
    }
    List<RouteDescriptor> routes = new ArrayList<>();
    for (Route route : runtime.routes().routes()) {
      RouteConfig config = route.config();
      GcraRateLimiter limiter = runtime.routeLimiter(route.index());
      routes.add(new RouteDescriptor(route.name(), RouteText.match(config.match()), config.to(),
          config.split().isEmpty() ? null : config.split(), limiter == null ? null : limit(limiter)));
    }
    BalancerConfig balancer = runtime.config().loadBalancer() != null ? runtime.config().loadBalancer()
        : mesh.config().defaults().loadBalancer();
    return new ServiceDescriptor(balancer.name(), instances, subsets, routes,
        runtime.limiter() == null ? null : limit(runtime.limiter()), runtime.inFlight().get(),
        runtime.maxConcurrentRequests(),
        runtime.breaker() == null ? null : runtime.breaker().getState().name(),
        runtime.tls() == null || runtime.tls().identity() == null ? null : runtime.tls().identity().expected());
  }

  private static LimitDescriptor limit(GcraRateLimiter limiter) {
    RateLimitConfig config = limiter.config();
    return new LimitDescriptor(limiter.getName(), config.rateText(), config.burst(), limiter.availablePermissions());
  }

  /** The whole mesh: discovery provider names (never their settings), the default balancer, services. */
  public record MeshDescriptor(List<String> discoveries, String defaultLoadBalancer,
      Map<String, ServiceDescriptor> services) {}

  /**
   * One service as the request path sees it now; {@code circuitBreaker} is the breaker's state (null
   * without one), {@code peerIdentity} what its instances must prove over TLS (null without TLS).
   */
  public record ServiceDescriptor(String loadBalancer, List<InstanceDescriptor> instances,
      Map<String, SubsetDescriptor> subsets, List<RouteDescriptor> routes, LimitDescriptor rateLimit, int inFlight,
      int maxConcurrentRequests, String circuitBreaker, String peerIdentity) {}

  /** One discovered instance; {@code health} is {@code UP}, or {@code EJECTED} by outlier detection. */
  public record InstanceDescriptor(String id, String url, int weight, Map<String, String> metadata, String zone,
      String health) {}

  /** A subset: the metadata it selects on and the ids of the instances selected now. */
  public record SubsetDescriptor(Map<String, String> selector, List<String> instances) {}

  /** One route, in table order: conditions, destination, route rate limit. */
  public record RouteDescriptor(String name, Map<String, Object> match, String to, Map<String, Integer> split,
      LimitDescriptor rateLimit) {}

  /** A rate limiter: its settings and the permits it would grant right now ({@code headroom}). */
  public record LimitDescriptor(String name, String rate, int burst, int headroom) {}
}
