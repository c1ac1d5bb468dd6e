package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The xDS state machine: validates each response resource by resource against the resources already
 * accepted, maps the services the application calls, applies their settings through the mesh's {@code
 * reload} and their instances through the discovery listeners, and keeps the subscriptions following the
 * services. As gRPC (gRFC A46), a response with invalid resources is NACKed naming each of them, and its
 * valid resources are applied all the same; an invalid resource keeps its accepted version, or, with none,
 * is treated as not existing. A response the mesh refuses as a whole is NACKed and nothing of it is
 * applied. Confined to the xDS thread.
 */
final class XdsClient implements AdsStream.Handler {
  private static final Logger LOG = Logger.getLogger(XdsClient.class.getName());

  private final String discoveryName;
  private final boolean ignoreResourceDeletion;
  private final Map<String, Bootstrap.CertificateProvider> certificateProviders;
  private final XdsDiscoveryMetrics metrics;
  private final Runnable onChange;
  private AdsStream stream;
  private XdsResources accepted = new XdsResources();
  /**
   * A copy of {@link #accepted} no one changes, shared by every service mapped from it (so services added one
   * by one between two responses hold one copy, not one each); null once accepted changed since it was made.
   */
  private XdsResources acceptedCopy;
  /** The services the application lists ({@code mesh.discovery.xds.services}): kept, watched or not. */
  private final Set<String> configured;
  /** Service name to its listener name, in the order first watched. */
  private final Map<String, String> services = new LinkedHashMap<>();
  private final Map<String, List<ServiceDiscovery.Listener>> listeners = new HashMap<>();
  private final Map<String, ServiceMapping> mappings = new HashMap<>();
  /** By service held at its mapping in force, the endpoints its new mapping awaits ({@link #warm}). */
  private Map<String, Set<String>> warming = new HashMap<>();
  private final Set<String> reported = new java.util.HashSet<>();
  /** By type, the names the last response applied carried: kept, needed or not, while the server sends them. */
  private final Map<ResourceType, Set<String>> lastSent = new java.util.EnumMap<>(ResourceType.class);
  private Mesh mesh;
  /** The application's configuration xDS's services are laid over, as the mesh last gave it. */
  private volatile MeshConfig base;
  /**
   * The services xDS lays over the application's configuration, on each of the mesh's reloads: by service, its
   * listener and the resources its mapping in force was made of (copies no one changes).
   */
  private volatile LaidServices laid = LaidServices.NONE;
  /** By service, the resources (a copy no one changes) its mapping in force was made of; xDS thread. */
  private final Map<String, XdsResources> mappedFrom = new HashMap<>();
  /**
   * The mesh's layer: the application's configuration with xDS's services over it, each mapped again from
   * the application's settings for it, so that a reload changing them (a timeout, a rate limit, a retry
   * policy) applies at once, not at xDS's next push.
   */
  private final java.util.function.UnaryOperator<MeshConfig> layer = this::layered;

  private MeshConfig layered(MeshConfig application) {
    try {
      return merged(application, laid.map(application, discoveryName));
    } catch (XdsInvalidException e) { // the mesh's reload contract: a refused configuration is a ConfigurationException
      throw new ConfigurationException(List.of(e.getMessage()));
    }
  }

  /** Why calls fail for want of a valid resource, published for call threads ({@link #whyNoInstances}). */
  private volatile InvalidResourceReasons reasons = InvalidResourceReasons.NONE;

  XdsClient(String discoveryName, Bootstrap bootstrap, Set<String> configured, XdsDiscoveryMetrics metrics,
      Runnable onChange) {
    this.discoveryName = discoveryName;
    this.configured = Set.copyOf(configured);
    this.ignoreResourceDeletion = bootstrap.ignoreResourceDeletion();
    this.certificateProviders = bootstrap.certificateProviders();
    this.metrics = metrics;
    this.onChange = onChange;
  }

  void stream(AdsStream adsStream) {
    this.stream = adsStream;
    stream.subscribe(ResourceType.CDS, null); // every cluster: a route naming one CDS lacks is then invalid
  }

  /** Subscribes to {@code service}'s listener, if not yet. */
  void addService(String service, String listenerName) {
    if (services.putIfAbsent(service, listenerName) == null) {
      mappings.put(service, ServiceMapping.map(service, listenerName, discoveryName, baseOf(service), accepted));
      mappedFrom.put(service, acceptedCopy());
      reasons = InvalidResourceReasons.of(accepted, services, stream::absent);
      resubscribe();
    }
  }

  void addListener(String service, ServiceDiscovery.Listener listener) {
    listeners.computeIfAbsent(service, s -> new ArrayList<>()).add(listener);
    listener.onSnapshot(mappings.get(service).instances());
  }

  /**
   * Removes a watch of {@code service}. Once none is left, a service the application does not list is
   * forgotten, with its subscriptions and their resources: the mesh no longer routes it (its watch closes
   * when the service leaves the mesh's configuration), and the configuration xDS applies no longer adds it.
   */
  void removeListener(String service, ServiceDiscovery.Listener listener) {
    List<ServiceDiscovery.Listener> l = listeners.get(service);
    if (l == null || !l.remove(listener) || !l.isEmpty()) {
      return;
    }
    listeners.remove(service);
    if (!configured.contains(service)) {
      services.remove(service);
      mappings.remove(service);
      mappedFrom.remove(service);
      warming.remove(service);
      reasons = InvalidResourceReasons.of(accepted, services, stream::absent);
      metrics.notImplemented(notes());
      resubscribe();
    }
  }

  /** Whether every service's listener, routes, clusters and endpoints are known or known not to exist. */
  boolean settled(Set<String> names) {
    for (String s : names) {
      String listener = services.get(s);
      if (listener == null || stream.absent(ResourceType.LDS, listener) || sentInvalid(ResourceType.LDS, listener)) {
        continue;
      }
      ServiceMapping m = mappings.get(s);
      if (!m.described()) {
        if (m.rdsName() == null
            || !stream.absent(ResourceType.RDS, m.rdsName()) && !sentInvalid(ResourceType.RDS, m.rdsName())) {
          return false;
        }
        continue;
      }
      for (String eds : m.edsNames()) {
        if (!accepted.endpoints.containsKey(eds) && !stream.absent(ResourceType.EDS, eds)
            && !sentInvalid(ResourceType.EDS, eds)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether {@code name} was sent invalid and has no accepted version: it is known not to exist. */
  private boolean sentInvalid(ResourceType type, String name) {
    return accepted.withoutVersion(type, name) != null;
  }

  /** Applies the settings xDS gives on top of {@code meshToConfigure}'s, from now on. */
  void attach(Mesh meshToConfigure) {
    this.mesh = meshToConfigure;
    this.base = meshToConfigure.config();
    laid = laid(mappings.keySet(), mappedFrom);
    try {
      mesh.layer(this, layer);
    } catch (ConfigurationException e) {
      LOG.warning(() -> "xDS: the mesh refused the configuration xDS describes: " + e.getMessage());
    }
  }

  @Override
  public String onResponse(ResourceType type, String version, List<Any> resources) {
    XdsResources candidate = accepted.copy();
    ResourceUpdate<?> update = switch (type) {
      case LDS -> take(candidate, candidate.listeners,
          ResourceUpdate.decode(type, version, resources, ListenerResource::decode, ListenerResource::name));
      case RDS -> {
        ResourceUpdate<RouteConfiguration> u =
            ResourceUpdate.decode(type, version, resources, RouteChecks::decode, RouteConfiguration::getName);
        RouteChecks.checkClusters(candidate, u, stream.ackedVersion(ResourceType.CDS));
        yield take(candidate, candidate.routes, u);
      }
      case CDS -> {
        ResourceUpdate<ClusterResource> u = ResourceUpdate.decode(type, version, resources,
            a -> ClusterResource.decode(a, certificateProviders), ClusterResource::name);
        checkTlsFiles(u);
        candidate.clustersKnown = true;
        yield take(candidate, candidate.clusters, u);
      }
      case EDS -> take(candidate, candidate.endpoints,
          ResourceUpdate.decode(type, version, resources, EndpointResource::decode, EndpointResource::name));
    };
    Map<String, Set<String>> nextWarming;
    XdsResources candidateCopy;
    try {
      Map<String, ServiceMapping> next = mapServices(candidate, update);
      nextWarming = warm(next, candidate);
      candidateCopy = candidate.copy();
      String refused = apply(next, from(next.keySet(), nextWarming, candidateCopy));
      if (refused != null) {
        return refusedWhole(update, type + " version " + version + ": the mesh refused the configuration it "
            + "describes: " + refused);
      }
    } catch (XdsInvalidException e) {
      return refusedWhole(update, e.getMessage());
    }
    accepted = candidate;
    acceptedCopy = candidateCopy;
    warming = nextWarming;
    reasons = InvalidResourceReasons.of(accepted, services, stream::absent);
    stream.received(type, update.names());
    lastSent.put(type, update.names());
    resubscribe();
    onChange.run();
    return update.errorDetail();
  }

  /**
   * Puts {@code update}'s valid resources into {@code current} (state of the world: for LDS and CDS, a name
   * missing from the response is deleted; an invalid resource is present, not missing) and records its
   * invalid ones, which keep their accepted version if they have one.
   */
  private <T> ResourceUpdate<T> take(XdsResources candidate, Map<String, T> current, ResourceUpdate<T> update) {
    Map<String, XdsResources.Rejection> rejected = candidate.rejected.get(update.type());
    if (update.type().missingMeansDeleted() && !ignoreResourceDeletion) {
      Set<String> present = update.names();
      Set<String> gone = new java.util.HashSet<>(current.keySet());
      gone.addAll(rejected.keySet());
      gone.removeAll(present);
      current.keySet().removeAll(gone);
      if (update.type() == ResourceType.LDS) { // known not to exist, and why (gRFC A53); freed once unsubscribed
        gone.forEach(name -> rejected.compute(name, (n, r) -> r != null && r.isDeletion() ? r
            : XdsResources.Rejection.deleted(update.version())));
      } else {
        rejected.keySet().removeAll(gone);
      }
    }
    current.putAll(update.valid());
    update.valid().keySet().forEach(rejected::remove);
    update.invalid().forEach((name, detail) -> rejected.put(name, new XdsResources.Rejection(update.version(), detail)));
    return update;
  }

  /**
   * Maps every service over {@code candidate}. A service that cannot be mapped blames the listener (LDS)
   * or route configuration (RDS) of {@code update} it uses: that resource is rejected, keeps its accepted
   * version (or none), and the services are mapped again. A failure no resource of {@code update} explains
   * is thrown: the response is refused whole.
   */
  private Map<String, ServiceMapping> mapServices(XdsResources candidate, ResourceUpdate<?> update) {
    Map<String, ServiceMapping> next = new HashMap<>();
    for (var it = services.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      try {
        next.put(e.getKey(), ServiceMapping.map(e.getKey(), e.getValue(), discoveryName, baseOf(e.getKey()), candidate));
      } catch (XdsInvalidException ex) {
        ListenerResource listener = candidate.listeners.get(e.getValue());
        String blamed = update.type() == ResourceType.LDS ? e.getValue()
            : update.type() == ResourceType.RDS && listener != null ? listener.rdsName() : null;
        if (blamed == null || !update.valid().containsKey(blamed)) {
          throw ex;
        }
        update.reject(blamed, ex.getMessage());
        candidate.rejected.get(update.type()).put(blamed, new XdsResources.Rejection(update.version(), ex.getMessage()));
        if (update.type() == ResourceType.LDS) {
          restore(candidate.listeners, accepted.listeners, blamed);
        } else {
          restore(candidate.routes, accepted.routes, blamed);
        }
        next.clear();
        it = services.entrySet().iterator(); // bounded: each pass rejects one more resource of the update
      }
    }
    return next;
  }

  /**
   * Keeps in {@code next} the mapping in force of each described service whose new mapping needs endpoints
   * not known yet (neither received, nor taken not to exist, nor sent invalid), as Envoy warms a cluster
   * before its routes use it and gRPC holds a pick until its cluster has endpoints: a route switching to a
   * cluster whose endpoints were not asked for does not fail calls while they are. Returns, by service so
   * held, the endpoints its new mapping needs, which are subscribed to; the service is mapped anew when they
   * arrive or are taken not to exist (while it is held, its instances are those of the mapping in force).
   */
  private Map<String, Set<String>> warm(Map<String, ServiceMapping> next, XdsResources r) {
    Map<String, Set<String>> held = new HashMap<>();
    next.replaceAll((service, m) -> {
      ServiceMapping current = mappings.get(service);
      if (current == null || !current.described() || m.equals(current)) {
        return m;
      }
      for (String eds : m.edsNames()) {
        if (!r.endpoints.containsKey(eds) && !stream.absent(ResourceType.EDS, eds)
            && r.withoutVersion(ResourceType.EDS, eds) == null) {
          held.put(service, m.edsNames());
          return current;
        }
      }
      return m;
    });
    return held;
  }

  private static <T> void restore(Map<String, T> candidate, Map<String, T> accepted, String name) {
    T before = accepted.get(name);
    if (before == null) {
      candidate.remove(name);
    } else {
      candidate.put(name, before);
    }
  }

  /**
   * A response refused whole (nothing of it applied): its invalid resources are recorded with their
   * problems, its valid ones with {@code detail}, as the reasons calls needing those without an accepted
   * version fail. Returns the NACK's error_detail: {@code detail}, then each invalid resource's problem.
   */
  private String refusedWhole(ResourceUpdate<?> update, String detail) {
    Map<String, XdsResources.Rejection> rejected = accepted.rejected.get(update.type());
    acceptedCopy = null;
    update.valid().keySet().forEach(name -> rejected.put(name, new XdsResources.Rejection(update.version(), detail)));
    update.invalid().forEach((name, d) -> rejected.put(name, new XdsResources.Rejection(update.version(), d)));
    reasons = InvalidResourceReasons.of(accepted, services, stream::absent);
    return update.errorDetail() == null ? detail : detail + "; " + update.errorDetail();
  }

  /**
   * Why the instances {@code selector} selects are none, when it is because what they need has no accepted
   * version and the control plane sent it invalid; else null. Called from call threads.
   */
  String whyNoInstances(String service, Map<String, String> selector) {
    return reasons.why(service, selector);
  }

  /**
   * Loads the files of each cluster's TLS that is new or changed, as the mesh will when it applies it, and
   * as Envoy builds a cluster's transport socket before it accepts the cluster: a file missing or
   * unreadable, or a key that is not its certificate's, is a NACK naming the cluster, the field and the
   * file, not an ACK whose calls then fail at the handshake. TLS settings unchanged since accepted are not
   * read again: the mesh keeps their identity, which follows the files' rotations on its own.
   */
  private void checkTlsFiles(ResourceUpdate<ClusterResource> update) {
    Set<io.meshclient.core.config.TlsConfig> loaded = new java.util.HashSet<>();
    for (ClusterResource c : new java.util.TreeMap<>(update.valid()).values()) { // in name order: the same NACK each time
      ClusterResource before = accepted.clusters.get(c.name());
      if (c.tls() == null || loaded.contains(c.tls()) || before != null && c.tls().equals(before.tls())) {
        continue;
      }
      try {
        c.tls().check(c.tlsKeys(), XdsClient.class.getClassLoader());
        loaded.add(c.tls());
      } catch (ConfigurationException e) {
        update.reject(c.name(), e.getMessage()); // keeps its accepted version, TLS included, or has none
      }
    }
  }

  @Override
  public void onDoesNotExist(ResourceType type, String name) {
    LOG.warning(() -> "xDS: " + type + " resource " + name + " was not sent within the resource timeout: "
        + "taken not to exist; calls that need it fail");
    // the reason first: a call the routes applied next fail must find it
    reasons = InvalidResourceReasons.of(accepted, services, stream::absent);
    if (type == ResourceType.EDS && warming.values().stream().anyMatch(names -> names.contains(name))) {
      remapWarming();
    }
    onChange.run();
  }

  @Override
  public void onConnection(boolean connected) {
    // the meters follow the stream; the configuration in force keeps serving while it is down
  }

  private XdsResources acceptedCopy() {
    if (acceptedCopy == null) {
      acceptedCopy = accepted.copy();
    }
    return acceptedCopy;
  }

  /** Maps every service again over the accepted resources: one held for endpoints taken not to exist goes ahead. */
  private void remapWarming() {
    Map<String, ServiceMapping> next = new HashMap<>();
    try {
      services.forEach((service, listener) -> next.put(service,
          ServiceMapping.map(service, listener, discoveryName, baseOf(service), accepted)));
    } catch (XdsInvalidException e) { // accepted resources were mapped before: only the application's base changed
      LOG.warning(() -> "xDS: mapping the services again failed: " + e.getMessage());
      return;
    }
    Map<String, Set<String>> nextWarming = warm(next, accepted);
    String refused = apply(next, from(next.keySet(), nextWarming, acceptedCopy()));
    if (refused != null) {
      LOG.warning(() -> "xDS: the mesh refused the configuration xDS describes: " + refused);
      return;
    }
    warming = nextWarming;
    reasons = InvalidResourceReasons.of(accepted, services, stream::absent);
    resubscribe();
  }

  /** The notes (fields not implemented) of every service now, deduplicated. */
  List<String> notes() {
    Set<String> all = new LinkedHashSet<>();
    mappings.values().forEach(m -> all.addAll(m.notes()));
    return List.copyOf(all);
  }

  /** By service, {@code resources}, or for one {@code held} for its endpoints, those its mapping in force came from. */
  private Map<String, XdsResources> from(Set<String> services, Map<String, Set<String>> held, XdsResources resources) {
    Map<String, XdsResources> out = new HashMap<>();
    services.forEach(s -> out.put(s, held.containsKey(s) ? mappedFrom.get(s) : resources));
    return out;
  }

  private LaidServices laid(Set<String> names, Map<String, XdsResources> from) {
    return LaidServices.of(names, services, from);
  }

  /**
   * Swaps in {@code next}, each service mapped from {@code from}'s resources: instances first (old and new), then
   * settings, then new instances; null if applied.
   */
  private String apply(Map<String, ServiceMapping> next, Map<String, XdsResources> from) {
    MeshConfig config = merged(base, next);
    boolean configChanged = !config.equals(merged(base, mappings));
    if (configChanged) {
      next.forEach((service, m) -> deliver(service, union(mappings.get(service).instances(), m.instances())));
      try {
        if (mesh != null) {
          LaidServices before = laid;
          laid = laid(next.keySet(), from);
          try {
            mesh.layer(this, layer);
          } catch (ConfigurationException e) {
            laid = before;
            throw e;
          }
        }
      } catch (ConfigurationException e) {
        mappings.forEach((service, m) -> deliver(service, m.instances()));
        return e.getMessage();
      }
      next.keySet().retainAll(services.keySet()); // a watch the reload closed may have forgotten a service
      laid = laid(next.keySet(), from);
    }
    from.keySet().retainAll(services.keySet());
    mappedFrom.putAll(from);
    Map<String, ServiceMapping> before = new HashMap<>(mappings);
    mappings.putAll(next);
    metrics.notImplemented(notes());
    next.forEach((service, m) -> {
      // a response resent after its NACK is applied again: its unchanged instances are not delivered again
      if (configChanged || !m.instances().equals(before.get(service).instances())) {
        deliver(service, m.instances());
      }
    });
    for (ServiceMapping m : next.values()) {
      for (String note : m.notes()) {
        if (reported.add(note)) {
          LOG.warning(() -> "xDS: " + note);
        }
      }
    }
    return null;
  }

  /**
   * {@code application}'s configuration with the settings xDS gives each service it still names ({@code
   * mesh.services}) or that {@code mesh.discovery.xds.services} lists, validated (throws if invalid); a service
   * the application dropped is not put back. Remembers {@code application} as the base of what comes next (the
   * mesh calls this again on each of its reloads, with the configuration it was given).
   */
  private MeshConfig merged(MeshConfig application, Map<String, ServiceMapping> m) {
    if (application != null) {
      base = application;
    }
    MeshConfig.Builder b = application != null ? application.toBuilder() : MeshConfig.builder();
    m.forEach((service, s) -> {
      if (application == null || configured.contains(service) || application.services().containsKey(service)) {
        b.replaceService(s.config());
      }
    });
    try {
      return b.build();
    } catch (ConfigurationException e) {
      throw new XdsInvalidException("mesh configuration", "services", "refused", "valid settings: " + e.getMessage());
    }
  }

  private void deliver(String service, List<ServiceInstance> instances) {
    for (ServiceDiscovery.Listener l : listeners.getOrDefault(service, List.of())) {
      l.onSnapshot(instances);
    }
  }

  private static List<ServiceInstance> union(List<ServiceInstance> a, List<ServiceInstance> b) {
    Map<String, ServiceInstance> byId = new LinkedHashMap<>();
    a.forEach(i -> byId.put(i.id(), i));
    b.forEach(i -> byId.put(i.id(), i));
    return List.copyOf(byId.values());
  }

  private ServiceConfig baseOf(String service) {
    return base == null ? null : base.services().get(service);
  }

  /**
   * Subscribes to exactly the listeners, route configurations and endpoints the services need now, and frees
   * those no longer needed ({@link XdsResources#release}) whose cluster, for endpoints, is gone too.
   */
  private void resubscribe() {
    Map<ResourceType, Set<String>> wanted = new java.util.EnumMap<>(ResourceType.class);
    wanted.put(ResourceType.LDS, new LinkedHashSet<>(services.values()));
    wanted.put(ResourceType.RDS, new LinkedHashSet<>());
    wanted.put(ResourceType.EDS, new LinkedHashSet<>());
    mappings.values().forEach(m -> {
      if (m.rdsName() != null) {
        wanted.get(ResourceType.RDS).add(m.rdsName());
      }
      wanted.get(ResourceType.EDS).addAll(m.edsNames());
    });
    warming.values().forEach(wanted.get(ResourceType.EDS)::addAll);
    wanted.forEach((type, names) -> stream.subscribe(type, names));
    // The endpoints of a cluster CDS still has are kept, as before: a route switching to it serves at once
    // (while its fresh endpoints are asked for); they go with the cluster.
    Set<String> endpoints = new java.util.HashSet<>(wanted.get(ResourceType.EDS));
    accepted.clusters.values().forEach(c -> endpoints.add(c.edsName()));
    wanted.put(ResourceType.EDS, endpoints);
    wanted.forEach((type, names) -> {
      if (accepted.release(type, names, lastSent.getOrDefault(type, Set.of()))) {
        acceptedCopy = null;
      }
    });
    metrics.held(accepted);
  }
}
