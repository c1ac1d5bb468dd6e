package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The xDS state machine: validates each response resource by resource against the resources already
 * accepted, maps the services the application calls, lays their settings over the mesh's configuration with
 * their instances (the mesh takes both in one swap: no call sees new instances with old settings, or old
 * with new), delivers their instances to the discovery listeners, and keeps the subscriptions following the
 * services. As gRPC (gRFC A46), a response with invalid resources is NACKed naming each of them, and its
 * valid resources are applied all the same; an invalid resource keeps its accepted version, or, with none,
 * is treated as not existing. A response the mesh refuses is NACKed naming the one resource whose version
 * before lets the rest apply ({@link RefusalBlame}), else as a whole, nothing of it applied; a refusal no response
 * explains (a TTL passed, the first laying) fails closed the services it refuses ({@link ClosedServices}). What it
 * lays over the mesh's configuration is kept by {@link XdsLayer}, the services held until the endpoints they switch
 * to are known by {@link Warming}; a resource sent with a TTL is removed when the TTL passes ({@link ResourceTtls}).
 * Confined to the xDS thread.
 */
final class XdsClient implements AdsStream.Handler {
  private static final Logger LOG = Logger.getLogger(XdsClient.class.getName());

  private final String discoveryName;
  private final boolean ignoreResourceDeletion;
  private final Map<String, Bootstrap.CertificateProvider> certificateProviders;
  private final XdsDiscoveryMetrics metrics;
  private final Runnable onChange;
  private final ResourceTtls ttls;
  private AdsStream stream;
  private XdsResources accepted = new XdsResources();
  /** Service name to its listener name, in the order first watched. */
  private final Map<String, String> services = new LinkedHashMap<>();
  private final Watchers watchers = new Watchers();
  private final Map<String, ServiceMapping> mappings = new HashMap<>();
  private final Warming warming = new Warming();
  private final ClosedServices closed = new ClosedServices();
  private final Set<String> reported = new java.util.HashSet<>();
  /** By type, the names the last response applied carried: kept, needed or not, while the server sends them. */
  private final Map<ResourceType, Set<String>> lastSent = new java.util.EnumMap<>(ResourceType.class);
  private final XdsLayer layer;
  /** Why calls fail for want of a valid resource, published for call threads ({@link #whyNoInstances}). */
  private volatile InvalidResourceReasons reasons = InvalidResourceReasons.NONE;
  /** Why the ADS stream is down, for call threads; null while it is up. */
  private volatile String streamDown = "the ADS stream to the control plane has not answered yet";

  XdsClient(String discoveryName, Bootstrap bootstrap, Set<String> configured, XdsDiscoveryMetrics metrics,
      java.util.concurrent.ScheduledExecutorService executor, Runnable onChange) {
    this.discoveryName = discoveryName;
    this.layer = new XdsLayer(discoveryName, configured);
    this.ignoreResourceDeletion = bootstrap.ignoreResourceDeletion();
    this.certificateProviders = bootstrap.certificateProviders();
    this.metrics = metrics;
    this.onChange = onChange;
    this.ttls = new ResourceTtls(executor, this::expired);
  }

  void stream(AdsStream adsStream) {
    this.stream = adsStream;
    stream.subscribe(ResourceType.CDS, null); // every cluster: a route naming one CDS lacks is then invalid
  }

  /** Subscribes to {@code service}'s listener, if not yet. */
  void addService(String service, String listenerName) {
    if (services.putIfAbsent(service, listenerName) == null) {
      layer.watching(services.keySet());
      mappings.put(service, ServiceMapping.map(service, listenerName, discoveryName, layer.baseOf(service), accepted));
      layer.mapped(service, accepted);
      reasons = reasonsOf(accepted, closed.now());
      resubscribe();
    }
  }

  void addListener(String service, ServiceDiscovery.Listener listener) {
    watchers.add(service, listener, mappings.get(service).instances());
  }

  /**
   * Removes a watch of {@code service}. Once none is left, a service the application does not list is
   * forgotten, with its subscriptions and their resources: the mesh no longer routes it (its watch closes
   * when the service leaves the mesh's configuration), and the configuration xDS applies no longer adds it.
   */
  void removeListener(String service, ServiceDiscovery.Listener listener) {
    if (watchers.removeLast(service, listener) && !layer.configured(service)) {
      services.remove(service);
      layer.watching(services.keySet());
      mappings.remove(service);
      layer.forget(service);
      warming.forget(service);
      closed.forget(service);
      reasons = reasonsOf(accepted, closed.now());
      metrics.notImplemented(notes());
      resubscribe();
    }
  }

  /** Whether every service of {@code names} is {@link Settling#settled settled}. */
  boolean settled(Set<String> names) {
    return Settling.settled(names, services, mappings, accepted, stream::absent);
  }

  /** Applies the settings xDS gives on top of {@code meshToConfigure}'s, from now on; {@code source}: this discovery. */
  void attach(Mesh meshToConfigure, ServiceDiscovery source) {
    layer.attach(meshToConfigure, source);
    Map<String, ServiceMapping> next = new HashMap<>(mappings);
    Map<String, XdsResources> from = layer.from(next.keySet(), next.keySet(), null);
    String refused = lays(next, from, closed.now(), true);
    if (refused != null) { // accepted before the mesh was there: nothing to NACK, the services it refuses fail closed
      String r = ServerStrings.printable(refused, ResourceUpdate.MAX_DETAIL);
      failClosed(next, from, accepted, true, closed.now(), s -> next.get(s).described(),
          s -> "the mesh refused the configuration xDS describes for " + s + ": " + r, r);
    }
  }

  /**
   * After the mesh refused {@code next} over {@code over} with the services {@code before} closed ({@code refused}),
   * which no response explains, fails closed ({@link ClosedServices}) the services among {@code suspect} that let
   * the rest be laid: one, else all; their calls fail with {@code reason}, each warned of. False, with a warning, if
   * that too is refused: nothing changed.
   */
  private boolean failClosed(Map<String, ServiceMapping> next, Map<String, XdsResources> from, XdsResources over,
      boolean force, Map<String, ClosedServices.Closed> before, java.util.function.Predicate<String> suspect,
      java.util.function.UnaryOperator<String> reason, String refused) {
    Map<String, ClosedServices.Closed> closing = ClosedServices.failClosed(before, next, suspect, reason, c -> {
      reasons = reasonsOf(over, c); // first: calls failing once laid find it
      return lays(next, from, c, force) == null;
    });
    if (closing == null) {
      reasons = reasonsOf(accepted, closed.now());
      LOG.warning(() -> "xDS: the mesh refused the configuration xDS describes: " + refused);
      return false;
    }
    closed.set(closing);
    return true;
  }

  /** Applies nothing more to {@code closing}, which is closing: what xDS sends from now on is ACKed, not laid. */
  void detach(Mesh closing) {
    layer.detach(closing);
  }

  @Override
  public String onResponse(ResourceType type, String version, List<Any> resources) {
    XdsResources candidate = accepted.copy();
    ResourceUpdate<?> update = ResponseDecoding.take(type, version, resources, candidate, accepted,
        ignoreResourceDeletion, certificateProviders, stream.ackedVersion(ResourceType.CDS));
    Attempt applied;
    try {
      applied = attempt(candidate, update);
      if (applied.refused() != null) {
        String refused = ServerStrings.printable(applied.refused(), ResourceUpdate.MAX_DETAIL);
        applied = RefusalBlame.withoutOne(update, candidate, accepted, refused, c -> attempt(c, update),
            a -> a.refused() == null);
        if (applied == null) {
          return refusedWhole(update, type + " version " + version + ": the mesh refused the configuration it "
              + "describes: " + refused);
        }
      }
    } catch (XdsInvalidException e) {
      return refusedWhole(update, e.getMessage());
    }
    accepted = applied.candidate();
    closed.set(applied.closing());
    layer.accepted(applied.copy());
    warming.hold(applied.warming());
    reasons = reasonsOf(accepted, closed.now());
    stream.received(type, update.names());
    lastSent.put(type, update.names());
    ttls.applied(update, accepted.names(type));
    resubscribe();
    onChange.run();
    return update.errorDetail();
  }

  /** Mapping, warming and applying a candidate: {@code refused}, the mesh's refusal, null if it applied. */
  private record Attempt(XdsResources candidate, Map<String, Set<String>> warming, XdsResources copy, String refused,
      Map<String, ClosedServices.Closed> closing) {}

  /**
   * Maps the services over {@code candidate} ({@link UpdateMapping#mapServices}) and applies them unless the mesh refuses. A
   * service failed closed stays so while its mapping is the one refused; one that maps to another is laid again,
   * and stays closed if the mesh refuses that.
   */
  private Attempt attempt(XdsResources candidate, ResourceUpdate<?> update) {
    Map<String, ServiceMapping> next = UpdateMapping.mapServices(services, discoveryName, layer::baseOf, accepted,
        candidate, update);
    Map<String, ClosedServices.Closed> closing = closed.kept(next);
    Map<String, ClosedServices.Closed> all = closed.all(next);
    Map<String, Set<String>> nextWarming = warm(next, candidate);
    closed.keepHeld(nextWarming.keySet(), closing);
    XdsResources copy = candidate.copy();
    Map<String, XdsResources> from = layer.from(next.keySet(), nextWarming.keySet(), copy);
    String refused = apply(next, from, closing, false);
    if (refused != null && closing.size() < all.size() && apply(next, from, all, false) == null) {
      return new Attempt(candidate, nextWarming, copy, null, all);
    }
    return new Attempt(candidate, nextWarming, copy, refused, closing);
  }

  /** {@link Warming#warm}: endpoints are known once received, taken not to exist or sent invalid in {@code r}. */
  private Map<String, Set<String>> warm(Map<String, ServiceMapping> next, XdsResources r) {
    return Warming.warm(next, mappings, eds -> r.endpoints.containsKey(eds) || stream.absent(ResourceType.EDS, eds)
        || r.withoutVersion(ResourceType.EDS, eds) != null);
  }

  /**
   * A response refused whole (nothing of it applied): its invalid resources are recorded with their
   * problems, its valid ones with {@code detail}, as the reasons calls needing those without an accepted
   * version fail. Returns the NACK's error_detail: {@code detail}, then each invalid resource's problem.
   */
  private String refusedWhole(ResourceUpdate<?> update, String detail) {
    Map<String, XdsResources.Rejection> rejected = accepted.rejected.get(update.type());
    layer.acceptedChanged();
    update.valid().keySet().forEach(name -> rejected.put(name, new XdsResources.Rejection(update.version(), detail)));
    update.invalid().forEach((name, d) -> rejected.put(name, new XdsResources.Rejection(update.version(), d)));
    reasons = reasonsOf(accepted, closed.now());
    return update.errorDetail() == null ? detail : detail + "; " + update.errorDetail();
  }

  /**
   * Why the instances {@code selector} selects are none, when it is because what they need has no accepted
   * version and the control plane sent it invalid; else null. Called from call threads.
   */
  String whyNoInstances(String service, Map<String, String> selector) {
    String why = reasons.why(service, selector);
    String down = streamDown;
    return why != null && down != null && why.endsWith(InvalidResourceReasons.NOT_RECEIVED) ? why + "; " + down : why;
  }

  @Override
  public void onDoesNotExist(ResourceType type, String name) {
    LOG.warning(() -> "xDS: " + type + " resource " + ServerStrings.printable(name) + " was not sent within the "
        + "resource timeout: taken not to exist; calls that need it fail");
    // the reason first: a call the routes applied next fail must find it
    reasons = reasonsOf(accepted, closed.now());
    if (type == ResourceType.EDS && warming.awaits(name)) { // a service held for endpoints taken not to exist goes ahead
      remap(accepted, "cluster_load_assignment " + ServerStrings.printable(name) + " was not sent within the resource "
          + "timeout: taken not to exist");
    }
    onChange.run();
  }

  @Override
  public void onConnection(boolean connected, String why) {
    // the meters follow the stream; the configuration in force keeps serving while it is down
    streamDown = connected ? null : "the ADS stream to the control plane is down (" + why + ")";
  }

  /**
   * The TTL of {@code name} passed without a heartbeat or update: as Envoy, it is removed as if deleted, and calls
   * that need it fail saying so (a later version of it, with or without a TTL, is taken as a new resource).
   */
  private void expired(ResourceType type, String name, String version, java.time.Duration ttl) {
    LOG.warning(() -> "xDS: " + type + " resource " + ServerStrings.printable(name) + " expired: its TTL of "
        + ttl.toMillis() + " ms passed without a heartbeat or update; removed");
    XdsResources candidate = accepted.copy();
    XdsResources.Rejection removal = XdsResources.Rejection.expired(version, ttl);
    candidate.remove(type, name, removal);
    if (remap(candidate, removal.reason(type.kind(), name, type))) {
      onChange.run();
    }
  }

  /**
   * Maps every service again over {@code over}, the accepted resources or a change of them ({@code cause}), and
   * applies it; {@code over} is accepted from then on. A service whose configuration the mesh refuses then fails
   * closed, its calls failing with {@code cause} and the refusal (a resource removed is not kept serving). False,
   * with a warning, if it could not be applied even so (nothing changed).
   */
  private boolean remap(XdsResources over, String cause) {
    Map<String, ServiceMapping> next = new HashMap<>();
    try {
      services.forEach((service, listener) -> next.put(service,
          ServiceMapping.map(service, listener, discoveryName, layer.baseOf(service), over)));
    } catch (XdsInvalidException e) { // accepted resources were mapped before: only the application's base changed
      LOG.warning(() -> "xDS: mapping the services again failed: " + e.getMessage());
      return false;
    }
    Map<String, ClosedServices.Closed> closing = closed.kept(next);
    Map<String, ClosedServices.Closed> all = closed.all(next);
    Map<String, ServiceMapping> raw = Map.copyOf(next);
    Map<String, Set<String>> nextWarming = warm(next, over);
    closed.keepHeld(nextWarming.keySet(), closing);
    XdsResources from = over == accepted ? layer.sharedCopy(accepted) : over.copy();
    Map<String, XdsResources> froms = layer.from(next.keySet(), nextWarming.keySet(), from);
    reasons = reasonsOf(over, closing); // first: calls failing once applied find it
    String refused = lays(next, froms, closing, false);
    if (refused != null && closing.size() < all.size()) {
      reasons = reasonsOf(over, all);
      refused = lays(next, froms, all, false) == null ? null : refused;
      closing = all;
    }
    if (refused != null) {
      String r = ServerStrings.printable(refused, ResourceUpdate.MAX_DETAIL);
      if (!failClosed(next, froms, over, false, closing, s -> !raw.get(s).equals(mappings.get(s)),
          s -> cause + "; the mesh refused the configuration left for " + s + ": " + r, r)) {
        return false;
      }
    } else {
      closed.set(closing);
    }
    if (over != accepted) {
      accepted = over;
      layer.accepted(from);
    }
    warming.hold(nextWarming);
    resubscribe();
    return true;
  }

  /** Cancels the TTL timers. */
  void close() {
    ttls.close();
  }

  /**
   * The notes (fields not implemented) of every service now, deduplicated; each on one line, bounded (the names of
   * resources, filters and headers in them are {@link ServerStrings#printable cut} already).
   */
  List<String> notes() {
    Set<String> all = new LinkedHashSet<>();
    mappings.values().forEach(m -> m.notes()
        .forEach(n -> all.add(ServerStrings.printable(n, ResourceUpdate.MAX_DETAIL))));
    return List.copyOf(all);
  }

  /** {@link #apply}, a configuration the mesh cannot even build ({@link XdsLayer#merged}) refused as one it refuses. */
  private String lays(Map<String, ServiceMapping> next, Map<String, XdsResources> from,
      Map<String, ClosedServices.Closed> closing, boolean force) {
    try {
      return apply(next, from, closing, force);
    } catch (XdsInvalidException e) {
      return e.getMessage();
    }
  }

  /** Why calls fail for want of a resource in {@code r}, or because their service is {@code closing}. */
  private InvalidResourceReasons reasonsOf(XdsResources r, Map<String, ClosedServices.Closed> closing) {
    return InvalidResourceReasons.of(r, services, stream::absent).closing(closing);
  }

  /**
   * Swaps in {@code mapped}, each service mapped from {@code from}'s resources, those of {@code closing} failed
   * closed: changed settings (any, if {@code force}: the first laying) are laid with the services' instances, which
   * the mesh takes in the same swap; then the instances are delivered to the watches (the mesh's runs on them
   * already); null if applied.
   */
  private String apply(Map<String, ServiceMapping> mapped, Map<String, XdsResources> from,
      Map<String, ClosedServices.Closed> closing, boolean force) {
    Map<String, ServiceMapping> next = new HashMap<>(mapped);
    closing.keySet().forEach(s -> next.computeIfPresent(s,
        (service, m) -> ClosedServices.closedMapping(m, service, discoveryName, layer.baseOf(service))));
    MeshConfig config = layer.merged(next);
    boolean configChanged = force || !config.equals(layer.merged(mappings));
    if (configChanged) {
      try {
        layer.lay(next.keySet(), services, from, closing.keySet(), instancesOf(next));
      } catch (ConfigurationException e) {
        return e.getMessage();
      }
      next.keySet().retainAll(services.keySet()); // a watch the reload closed may have forgotten a service
    }
    layer.inForce(services, from);
    Map<String, ServiceMapping> before = new HashMap<>(mappings);
    mappings.putAll(next);
    metrics.notImplemented(notes());
    next.forEach((service, m) -> {
      // a response resent after its NACK is applied again: its unchanged instances are not delivered again
      if (configChanged || !m.instances().equals(before.get(service).instances())) {
        watchers.deliver(service, m.instances());
      }
    });
    for (ServiceMapping m : next.values()) {
      for (String raw : m.notes()) {
        String note = ServerStrings.printable(raw, ResourceUpdate.MAX_DETAIL);
        if (reported.add(note)) {
          LOG.warning(() -> "xDS: " + note);
        }
      }
    }
    return null;
  }

  /** By service, the instances of its mapping in {@code m}. */
  private static Map<String, List<ServiceInstance>> instancesOf(Map<String, ServiceMapping> m) {
    Map<String, List<ServiceInstance>> out = new HashMap<>();
    m.forEach((service, mapping) -> out.put(service, mapping.instances()));
    return out;
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
    warming.awaited().forEach(wanted.get(ResourceType.EDS)::addAll);
    wanted.forEach((type, names) -> stream.subscribe(type, names));
    // The endpoints of a cluster CDS still has are kept, as before: a route switching to it serves at once
    // (while its fresh endpoints are asked for); they go with the cluster.
    Set<String> endpoints = new java.util.HashSet<>(wanted.get(ResourceType.EDS));
    accepted.clusters.values().forEach(c -> endpoints.add(c.edsName()));
    wanted.put(ResourceType.EDS, endpoints);
    wanted.forEach((type, names) -> {
      if (accepted.release(type, names, lastSent.getOrDefault(type, Set.of()))) {
        layer.acceptedChanged();
      }
    });
    for (ResourceType type : ResourceType.values()) {
      ttls.retain(type, accepted.names(type)); // a resource freed or deleted loses its TTL
    }
    metrics.held(accepted);
  }
}
