package io.meshclient.spring.boot.actuate;

import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshSnapshot;
import io.meshclient.core.config.RouteConfig;
import java.time.Duration;
import java.time.Instant;
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
    mesh.snapshot().services().forEach((name, state) -> services.put(name, service(state)));
    Map<String, DiscoveryDescriptor> status = new TreeMap<>();
    mesh.discoveryStatus().forEach((name, s) -> status.put(name, discovery(s)));
    return new MeshDescriptor(mesh.config().discovery().keySet().stream().toList(),
        mesh.config().defaults().loadBalancer().name(), services, mesh.istioReport(), status);
  }

  private static DiscoveryDescriptor discovery(DiscoveryStatus s) {
    return new DiscoveryDescriptor(s.connection().name(), s.lastUpdate() == null ? null : s.lastUpdate().toString(),
        s.lastUpdate() == null ? null : Math.max(0, Duration.between(s.lastUpdate(), Instant.now()).toMillis()) / 1000.0,
        s.errors(), s.lastError(), s.details(), s.notImplemented());
  }

  /** {@code decisions}: the recent routing decisions, newest first; any other name is not found. */
  @ReadOperation
  public List<MeshDecisionLog.Decision> decisions(@Selector String name) {
    if (!"decisions".equals(name)) {
      return null;
    }
    return decisions == null ? List.of() : decisions.recent();
  }

  private static ServiceDescriptor service(MeshSnapshot.ServiceState state) {
    List<InstanceDescriptor> instances = new ArrayList<>();
    for (MeshSnapshot.InstanceState i : state.instances()) {
      ServiceInstance instance = i.instance();
      instances.add(new InstanceDescriptor(instance.id(), i.url(), instance.weight(), instance.metadata(),
          instance.zone(), i.ejected() ? "EJECTED" : "UP"));
    }
    Map<String, SubsetDescriptor> subsets = new LinkedHashMap<>();
    state.subsets().forEach((name, ids) -> subsets.put(name, new SubsetDescriptor(state.config().subsets().get(name), ids)));
    List<RouteDescriptor> routes = new ArrayList<>();
    for (MeshSnapshot.RouteState route : state.routes()) {
      RouteConfig config = route.config();
      boolean ownSubsets = config.to() != null || !config.split().isEmpty();
      routes.add(new RouteDescriptor(route.name(), RouteText.match(config.match()), config.to(),
          config.split().isEmpty() || config.to() != null ? null : config.split(),
          ownSubsets ? null : config.destinations().stream().map(Object::toString).toList(),
          limit(route.rateLimit())));
    }
    return new ServiceDescriptor(state.loadBalancer(), instances, subsets, routes, limit(state.rateLimit()),
        state.inFlight(), state.maxConcurrentRequests(), state.circuitBreaker(), state.peerIdentity());
  }

  private static LimitDescriptor limit(MeshSnapshot.LimiterState limiter) {
    return limiter == null ? null
        : new LimitDescriptor(limiter.name(), limiter.config().rateText(), limiter.config().burst(), limiter.headroom());
  }

  /**
   * The whole mesh: discovery provider names (never their settings), the default balancer, services, and
   * the load report of the Istio resources ({@code mesh.istio.files}): files, resources applied and
   * ignored, and the fields used that the mesh does not implement (empty without Istio files), and how
   * each discovery in use is doing, by name.
   */
  public record MeshDescriptor(List<String> discoveries, String defaultLoadBalancer,
      Map<String, ServiceDescriptor> services, io.meshclient.core.config.IstioReport istio,
      Map<String, DiscoveryDescriptor> discoveryStatus) {}

  /**
   * One discovery's {@link DiscoveryStatus}: {@code connection} ({@code CONNECTED}, {@code DISCONNECTED},
   * {@code UNKNOWN}), the last update (ISO-8601) and its age in seconds (null before the first), errors
   * seen, the last error, source-specific details (such as xDS config versions per type) and what the
   * source asks for that changes traffic and is not implemented.
   */
  public record DiscoveryDescriptor(String connection, String lastUpdate, Double secondsSinceLastUpdate,
      long errors, String lastError, Map<String, String> details, List<String> notImplemented) {}

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
      List<String> destinations, LimitDescriptor rateLimit) {}

  /** A rate limiter: its settings and the permits it would grant right now ({@code headroom}). */
  public record LimitDescriptor(String name, String rate, int burst, int headroom) {}
}
