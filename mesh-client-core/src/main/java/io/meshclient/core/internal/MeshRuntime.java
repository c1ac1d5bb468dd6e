package io.meshclient.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.MeshListener;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.MeshConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps the per-service snapshots current as configuration and discovery change. All changes happen
 * under one lock, off the request path; the request path reads {@link #service(String)}, one volatile
 * read and a hash lookup.
 */
public final class MeshRuntime implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(MeshRuntime.class.getName());
  private final Object lock = new Object();
  private final ServiceStates states;
  private final AddressPublisher addresses;
  private final Map<String, List<ServiceInstance>> rawInstances = new HashMap<>();
  private final DiscoveriesInUse discoveries;
  private final Map<String, ServiceDiscovery.Watch> watches = new HashMap<>();
  private final Map<String, ServiceDiscovery> watchedWith = new HashMap<>();
  private final Map<String, List<ServiceInstance>> instances = new HashMap<>();
  /** The watches a swap under way starts, by service; empty between swaps. */
  private final Map<String, WatchToken> starting = new HashMap<>();
  private volatile Map<String, ServiceRuntime> services = Map.of();
  private volatile Map<String, ServiceRuntime> clusterNames = Map.of();
  private volatile ClusterNames naming; // null: services are called by their names only
  private volatile MeshConfig config;
  private volatile boolean closed;
  private final MeshListener listener;

  public MeshRuntime(MeshConfig config, Map<String, ServiceDiscovery> supplied, ClassLoader classLoader,
      Ticker ticker, RateLimiterRegistry limiterRegistry, Lazy<CircuitBreakerRegistry> breakerRegistry,
      io.meshclient.core.internal.metrics.ResilienceMeters resilienceMeters, MeshListener listener,
      io.meshclient.core.internal.tls.MeshSslSocketFactory tlsSockets,
      io.meshclient.core.internal.security.AllowListDns dns, Object meterRegistry) {
    this.addresses = new AddressPublisher(tlsSockets, dns);
    this.listener = listener;
    this.states = new ServiceStates(classLoader, ticker, limiterRegistry, breakerRegistry, resilienceMeters, listener,
        tlsSockets);
    this.discoveries = new DiscoveriesInUse(supplied, classLoader, meterRegistry);
    try {
      apply(config);
    } catch (RuntimeException | Error e) {
      // Refused, this runtime is never returned: the limiters and breakers the swap put in the registries, which
      // may be the application's, go now, with their meters.
      close();
      throw e;
    }
  }

  /**
   * The snapshot of the service named {@code host}, or, once {@link #callableByClusterNames} was called, of
   * the service that Kubernetes DNS name stands for; null if it is not a mesh service. A name written
   * absolute ({@code reviews.}, {@code reviews.default.svc.cluster.local.}) is the same name.
   */
  public ServiceRuntime service(String host) {
    ServiceRuntime service = services.get(host);
    if (service == null) {
      service = clusterNames.get(host);
      if (service == null && isAbsolute(host)) { // reviews. is reviews, as DNS has it: not a way around the mesh
        String relative = relative(host);
        service = services.get(relative);
        return service != null ? service : clusterNames.get(relative);
      }
    }
    return service;
  }

  /** Whether {@code host} is written as an absolute DNS name, with a trailing dot ({@code reviews.}). */
  private static boolean isAbsolute(String host) {
    return host.length() > 1 && host.charAt(host.length() - 1) == '.';
  }

  /** {@code host} without the trailing dot of an absolute DNS name. */
  private static String relative(String host) {
    return isAbsolute(host) ? host.substring(0, host.length() - 1) : host;
  }

  /**
   * Lets every service also be called by its Kubernetes DNS names, as Istio's sidecar lets it:
   * {@code reviews} of namespace {@code namespace} as {@code reviews.<namespace>}, {@code
   * reviews.<namespace>.svc} and {@code reviews.<namespace>.svc.<domain>}; a service named
   * {@code ratings.prod} (another namespace) as {@code ratings.prod.svc} and {@code ratings.prod.svc.<domain>}.
   * A name that is itself a service stays that service.
   */
  public void callableByClusterNames(String namespace, String domain) {
    synchronized (lock) {
      this.naming = new ClusterNames(namespace, domain);
      this.clusterNames = naming.aliases(services);
    }
  }

  /**
   * Whether a call to {@code host}, which is not a mesh service, is refused: by {@code mesh.unknown-hosts},
   * or, when services are callable by their cluster names, because the host is a cluster name
   * ({@code *.svc}, {@code *.svc.<domain>}) of no service here, which DNS outside the cluster would not
   * resolve to what the caller meant. A name written absolute ({@code reviewz.}) is judged without its dot.
   */
  public boolean refusesUnknown(String written) {
    String host = relative(written);
    if (config.unknownHosts().refuses(host)) {
      return true;
    }
    ClusterNames names = naming;
    return names != null && config.unknownHosts() == io.meshclient.core.config.UnknownHosts.REFUSE
        && names.isClusterName(host);
  }

  /** Every service snapshot, by name. */
  public Map<String, ServiceRuntime> services() {
    return services;
  }

  /** The discoveries in use now, those the caller supplied included. */
  public List<ServiceDiscovery> discoveries() {
    synchronized (lock) {
      return discoveries.all();
    }
  }

  /**
   * The services the discoveries in use list up front (a ServiceEntries' discovery aside), or null when
   * one of them lists none up front (a registry asked per service, such as Consul), so any name may be
   * a service.
   */
  public Set<String> listedServices() {
    synchronized (lock) {
      return discoveries.listedServices();
    }
  }

  /** The discoveries in use now, by name. */
  public Map<String, ServiceDiscovery> discoveriesByName() {
    synchronized (lock) {
      return discoveries.byName();
    }
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
    apply(newConfig, List.of());
  }

  /**
   * As {@link #apply(MeshConfig)}, with {@code refused}, problems the caller found (such as a setting that cannot
   * change after the mesh is built): when there are some, {@code newConfig} is checked all the same and refused
   * with every problem, its own first, so that one reload reports all there is to fix.
   */
  public void apply(MeshConfig newConfig, List<String> refused) {
    apply(newConfig, refused, LaidInstances.NONE);
  }

  /**
   * As {@link #apply(MeshConfig, List)}, each service {@code laid}'s source watches before and after taking the
   * instances laid for it in the same swap: no call sees the new configuration with the old instances, or the
   * old with the new.
   */
  public void apply(MeshConfig newConfig, List<String> refused, LaidInstances laid) {
    Objects.requireNonNull(newConfig, "newConfig");
    // Closed once the lock is released: a discovery's delivery thread may hold its own lock while it waits for
    // this one in onSnapshot, and closing a watch waits for that delivery to end. A snapshot that arrives
    // meanwhile is dropped: its token is no longer current.
    BoundedClose retired = new BoundedClose("Reconfiguring the mesh");
    try {
      applyLocked(newConfig, List.copyOf(refused), laid, retired);
    } finally {
      retired.close();
    }
  }

  /** {@code e} with {@code refused} after its own problems, each once. */
  public static ConfigurationException withRefused(ConfigurationException e, List<String> refused) {
    if (e.problems().containsAll(refused)) {
      return e;
    }
    List<String> all = new ArrayList<>(e.problems());
    refused.stream().filter(p -> !all.contains(p)).forEach(all::add);
    return new ConfigurationException(all);
  }

  private void applyLocked(MeshConfig newConfig, List<String> refused, LaidInstances laid, BoundedClose retired) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("mesh is closed");
      }
      Map<String, DiscoveryBinding> nextDiscoveries = new LinkedHashMap<>();
      List<DiscoveryBinding> created = new ArrayList<>();
      try {
        discoveries.resolve(newConfig, nextDiscoveries, created);
        Map<String, ServiceDiscovery> serviceDiscovery = ServiceAssignment.assign(newConfig, nextDiscoveries);
        ServiceAssignment.checkRouteTargets(newConfig, serviceDiscovery.keySet());
        Map<String, ServiceRuntime> next = new HashMap<>();
        Set<String> liveLimiters = new LinkedHashSet<>();
        Map<String, List<ServiceInstance>> taken = new HashMap<>();
        for (String service : serviceDiscovery.keySet()) {
          ServiceDiscovery discovery = serviceDiscovery.get(service);
          List<ServiceInstance> laidFor = laid.of(service, watchedWith.get(service), discovery);
          if (laidFor != null) {
            taken.put(service, laidFor);
          }
          next.put(service, build(newConfig, service, liveLimiters, discovery, laidFor));
        }
        if (!refused.isEmpty()) {
          throw new ConfigurationException(refused);
        }
        commit(newConfig, nextDiscoveries, serviceDiscovery, next, liveLimiters, taken, retired);
      } catch (ConfigurationException e) {
        states.discard();
        created.forEach(binding -> retired.discoveries.add(binding.discovery()));
        throw withRefused(e, refused);
      } catch (RuntimeException | Error e) {
        states.discard();
        created.forEach(binding -> retired.discoveries.add(binding.discovery()));
        throw e;
      } finally {
        starting.clear();
      }
    }
  }

  /**
   * {@code service}'s runtime, on the instances {@code laid} for it, or else on those its watch on {@code discovery}
   * delivered: none when it moves to {@code discovery} from another, whose instances nothing watches once the swap
   * closes that watch (its new watch's first snapshot, if it delivers one as it starts, is taken in the swap).
   */
  private ServiceRuntime build(MeshConfig newConfig, String service, Set<String> liveLimiters,
      ServiceDiscovery discovery, List<ServiceInstance> laid) {
    ServiceRuntime.Parts parts = states.parts(newConfig, service, liveLimiters, discovery);
    boolean watched = rawInstances.containsKey(service) && watchedWith.get(service) == discovery;
    List<ServiceInstance> current = laid != null || watched
        ? CanonicalInstances.canonicalize(instances.getOrDefault(service, List.of()),
            states.allowed(service, parts.allowList(), laid != null ? laid : rawInstances.get(service)))
        : List.of();
    return new ServiceRuntime(newConfig.service(service), newConfig.defaults(), parts, current);
  }

  /**
   * Swaps {@code next} in; {@code taken}: by service, the instances laid for it, which it now runs on. The new
   * watches start first, before anything is swapped: a discovery that refuses them leaves the mesh as it was (its
   * configuration, services and watches in force), and those started on the others are closed.
   */
  private void commit(MeshConfig newConfig, Map<String, DiscoveryBinding> nextDiscoveries,
      Map<String, ServiceDiscovery> serviceDiscovery, Map<String, ServiceRuntime> next, Set<String> liveLimiters,
      Map<String, List<ServiceInstance>> taken, BoundedClose retired) {
    Map<ServiceDiscovery, Map<String, ServiceDiscovery.Listener>> toWatch;
    try {
      toWatch = startWatches(serviceDiscovery);
    } catch (RuntimeException | Error e) {
      // A discovery refused its watches: those started here on the others are closed and forgotten (a refused
      // build's mesh is never returned, so nothing else could close them; a reload tries them again).
      retired.watches.addAll(starting.values());
      throw e;
    }
    states.retain(next, liveLimiters);
    Map<String, ServiceRuntime> before = services;
    for (String service : new ArrayList<>(watches.keySet())) {
      if (serviceDiscovery.get(service) != watchedWith.get(service)) {
        retired.watches.add(watches.remove(service));
        watchedWith.remove(service);
        instances.remove(service);
        rawInstances.remove(service);
      }
    }
    // their watches go on: the deliveries that follow start from these instances
    taken.forEach((service, raw) -> {
      rawInstances.put(service, raw);
      instances.put(service, next.get(service).instances());
    });
    starting.forEach((service, token) -> {
      watches.put(service, token);
      watchedWith.put(service, serviceDiscovery.get(service));
      // what the new watch delivered while it started, in this swap as it would have come after it
      List<ServiceInstance> early = token.goLive();
      ServiceRuntime runtime = next.get(service);
      List<ServiceInstance> canonical = early == null ? null : take(service, runtime, early);
      if (canonical != null && runtime != null) {
        next.put(service, runtime.withInstances(canonical));
      }
    });
    this.services = Map.copyOf(next);
    this.clusterNames = naming == null ? Map.of() : naming.aliases(services);
    addresses.publish(services);
    // Published last: a thread that sees the new configuration in config() then calls with it, routes,
    // instances and TLS included, not with the services it replaces.
    this.config = newConfig;
    before.keySet().stream().filter(s -> !next.containsKey(s)).forEach(service -> ReloadCallbacks.serviceRemoved(listener, service));
    warnWithoutInstances(newConfig, nextDiscoveries, toWatch);
    discoveries.replace(nextDiscoveries, retired.discoveries);
  }

  /**
   * Starts the watches of the services of {@code serviceDiscovery} not yet watched with their discovery, each
   * {@link #starting} until the swap; grouped by discovery, so that a registry can fetch the first snapshots of
   * many services at once.
   *
   * @return the listeners given to each discovery
   */
  private Map<ServiceDiscovery, Map<String, ServiceDiscovery.Listener>> startWatches(
      Map<String, ServiceDiscovery> serviceDiscovery) {
    Map<ServiceDiscovery, Map<String, ServiceDiscovery.Listener>> toWatch = new LinkedHashMap<>();
    serviceDiscovery.forEach((service, discovery) -> {
      if (!watches.containsKey(service) || watchedWith.get(service) != discovery) {
        WatchToken token = new WatchToken(service, discovery);
        starting.put(service, token);
        toWatch.computeIfAbsent(discovery, d -> new LinkedHashMap<>())
            .put(service, snapshot -> onSnapshot(service, token, snapshot));
      }
    });
    toWatch.forEach((discovery, listeners) ->
        discovery.watchAll(listeners).forEach((service, watch) -> starting.get(service).watch = watch));
    return toWatch;
  }

  /**
   * Warns, once per new watch, of a configured service that its discovery lists no instance of after
   * the first answer: a registry that is not authoritative at start-up (Consul, Kubernetes, xDS) may
   * list it later, so it is no start-up failure, but calls to it fail meanwhile and health shows it DOWN.
   */
  private void warnWithoutInstances(MeshConfig newConfig, Map<String, DiscoveryBinding> bindings,
      Map<ServiceDiscovery, Map<String, ServiceDiscovery.Listener>> watched) {
    watched.forEach((discovery, listeners) -> {
      for (String service : listeners.keySet()) {
        List<ServiceInstance> listed = instances.get(service);
        if (newConfig.services().containsKey(service) && (listed == null || listed.isEmpty())) {
          String name = bindings.values().stream().filter(b -> b.discovery() == discovery)
              .map(DiscoveryBinding::name).findFirst().orElse("?");
          LOG.log(System.Logger.Level.WARNING, "{0}.services.{1}: discovery ''{2}'' lists no instance of ''{1}'' "
              + "yet; calls to it fail and health shows it DOWN until it does", MeshConfig.PREFIX, service, name);
        }
      }
    });
  }

  private void onSnapshot(String service, WatchToken token, List<ServiceInstance> snapshot) {
    if (token.holdUntilLive(snapshot)) {
      return; // its watch is starting: taken in the swap it starts for, if that is applied
    }
    synchronized (lock) {
      if (closed || watches.get(service) != token) {
        return;
      }
      ServiceRuntime current = services.get(service);
      List<ServiceInstance> canonical = take(service, current, snapshot);
      if (canonical == null || current == null) {
        return; // the same instances: nothing to rebuild or swap
      }
      Map<String, ServiceRuntime> next = new HashMap<>(services);
      next.put(service, current.withInstances(canonical));
      services = Map.copyOf(next);
      if (naming != null) { // its cluster names stand for the service as it is now, these instances included
        clusterNames = naming.aliases(services);
      }
      boolean secureBefore = current.instances().stream().anyMatch(ServiceInstance::secure);
      if (current.tls() != null || current.allowList() != null || secureBefore
          || canonical.stream().anyMatch(ServiceInstance::secure)) {
        addresses.publish(services);
      }
    }
  }

  /**
   * Takes {@code snapshot} as {@code service}'s instances, those outside {@code runtime}'s allow-list dropped; under
   * lock.
   *
   * @return the instances now, or null if they are the same as before
   */
  private List<ServiceInstance> take(String service, ServiceRuntime runtime, List<ServiceInstance> snapshot) {
    rawInstances.put(service, snapshot);
    List<ServiceInstance> previous = instances.get(service);
    List<ServiceInstance> canonical = CanonicalInstances.canonicalize(previous == null ? List.of() : previous,
        states.allowed(service, runtime == null ? null : runtime.allowList(), snapshot));
    if (canonical == previous) {
      return null;
    }
    instances.put(service, canonical);
    return canonical;
  }

  /** Whether {@link #close()} has run: the mesh takes no new calls. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops the watches, then the discoveries the mesh created, each phase waiting for them at most {@link
   * BoundedClose#PHASE_WAIT} (a discovery whose close never returns does not hang the mesh's close: it is logged
   * and left closing in the background).
   */
  @Override
  public void close() {
    BoundedClose retired = new BoundedClose("Closing the mesh");
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      retired.watches.addAll(watches.values());
      watches.clear();
      discoveries.retireAll(retired.discoveries);
      states.close();
    }
    retired.close();
  }
}
