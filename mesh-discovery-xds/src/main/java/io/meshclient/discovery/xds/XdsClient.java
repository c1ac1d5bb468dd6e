package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
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
 * The xDS state machine: validates each response whole against the resources already accepted, maps
 * the services the application calls, applies their settings through the mesh's {@code reload} (a
 * refusal is a NACK) and their instances through the discovery listeners, and keeps the subscriptions
 * following the services. Confined to the xDS thread.
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
  /** Service name to its listener name, in the order first watched. */
  private final Map<String, String> services = new LinkedHashMap<>();
  private final Map<String, List<ServiceDiscovery.Listener>> listeners = new HashMap<>();
  private final Map<String, ServiceMapping> mappings = new HashMap<>();
  private final Set<String> reported = new java.util.HashSet<>();
  private Mesh mesh;
  private MeshConfig base;
  /** The clusters accepted, published for call threads ({@link #whyNoInstances}). */
  private volatile Map<String, ClusterResource> acceptedClusters = Map.of();
  /** The CDS response refused since the last one accepted, or null. */
  private volatile Refusal cdsRefusal;

  /** A refused response: its version, the NACK's error_detail, and the resources it named. */
  private record Refusal(String version, String detail, Set<String> names) {}

  XdsClient(String discoveryName, Bootstrap bootstrap, XdsDiscoveryMetrics metrics, Runnable onChange) {
    this.discoveryName = discoveryName;
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
      resubscribe();
    }
  }

  void addListener(String service, ServiceDiscovery.Listener listener) {
    listeners.computeIfAbsent(service, s -> new ArrayList<>()).add(listener);
    listener.onSnapshot(mappings.get(service).instances());
  }

  void removeListener(String service, ServiceDiscovery.Listener listener) {
    List<ServiceDiscovery.Listener> l = listeners.get(service);
    if (l != null) {
      l.remove(listener);
    }
  }

  /** Whether every service's listener, routes, clusters and endpoints are known or known not to exist. */
  boolean settled(Set<String> names) {
    for (String s : names) {
      String listener = services.get(s);
      if (listener == null || stream.absent(ResourceType.LDS, listener)) {
        continue;
      }
      ServiceMapping m = mappings.get(s);
      if (!m.described()) {
        if (m.rdsName() == null || !stream.absent(ResourceType.RDS, m.rdsName())) {
          return false;
        }
        continue;
      }
      for (String eds : m.edsNames()) {
        if (!accepted.endpoints.containsKey(eds) && !stream.absent(ResourceType.EDS, eds)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Applies the settings xDS gives on top of {@code meshToConfigure}'s, from now on. */
  void attach(Mesh meshToConfigure) {
    this.mesh = meshToConfigure;
    this.base = meshToConfigure.config();
    MeshConfig next = merged(mappings);
    try {
      mesh.reload(() -> next);
    } catch (ConfigurationException e) {
      LOG.warning(() -> "xDS: the mesh refused the configuration xDS describes: " + e.getMessage());
    }
  }

  @Override
  public String onResponse(ResourceType type, String version, List<Any> resources) {
    XdsResources candidate = accepted.copy();
    Set<String> names = new LinkedHashSet<>();
    try {
      switch (type) {
        case LDS -> {
          Map<String, ListenerResource> got = new HashMap<>();
          resources.forEach(a -> {
            ListenerResource l = ListenerResource.decode(a);
            got.put(l.name(), l);
          });
          replace(candidate.listeners, got, type);
          names.addAll(got.keySet());
        }
        case RDS -> resources.forEach(a -> {
          RouteConfiguration rc = unpackRoutes(a);
          for (var vh : rc.getVirtualHostsList()) { // every virtual host is valid, used or not
            RouteMapper.routes("route_configuration " + rc.getName() + ": virtual_hosts " + vh.getName(), rc, vh,
                cluster -> cluster, true, null, new ArrayList<>());
          }
          candidate.routes.put(rc.getName(), rc);
          names.add(rc.getName());
        });
        case CDS -> {
          Map<String, ClusterResource> got = new HashMap<>();
          resources.forEach(a -> {
            ClusterResource c = ClusterResource.decode(a, certificateProviders);
            got.put(c.name(), c);
          });
          checkTlsFiles(got);
          replace(candidate.clusters, got, type);
          candidate.clustersKnown = true;
          names.addAll(got.keySet());
        }
        case EDS -> resources.forEach(a -> {
          EndpointResource e = EndpointResource.decode(a);
          candidate.endpoints.put(e.name(), e);
          names.add(e.name());
        });
      }
      Map<String, ServiceMapping> next = new HashMap<>();
      services.forEach((service, listener) ->
          next.put(service, ServiceMapping.map(service, listener, discoveryName, baseOf(service), candidate)));
      if (type == ResourceType.RDS) {
        checkClusters(candidate, names);
      }
      String refused = apply(next);
      if (refused != null) {
        return refused(type, version, resources,
            type + " version " + version + ": the mesh refused the configuration it describes: " + refused);
      }
    } catch (XdsInvalidException e) {
      return refused(type, version, resources, e.getMessage());
    }
    accepted = candidate;
    if (type == ResourceType.CDS) {
      acceptedClusters = Map.copyOf(candidate.clusters);
      cdsRefusal = null;
    }
    stream.received(type, names);
    resubscribe();
    onChange.run();
    return null;
  }

  /** Remembers a refused CDS response for {@link #whyNoInstances}; returns {@code detail}, the NACK's. */
  private String refused(ResourceType type, String version, List<Any> resources, String detail) {
    if (type == ResourceType.CDS) {
      Set<String> names = new java.util.HashSet<>();
      for (Any a : resources) {
        try {
          names.add(a.unpack(io.envoyproxy.envoy.config.cluster.v3.Cluster.class).getName());
        } catch (InvalidProtocolBufferException e) {
          // undecodable: it names no cluster
        }
      }
      cdsRefusal = new Refusal(version, detail, Set.copyOf(names));
    }
    return detail;
  }

  /**
   * Why the instances {@code selector} selects are none, when it is because their cluster has no accepted
   * version and the CDS response that sent it was refused; else null. Called from call threads.
   */
  String whyNoInstances(Map<String, String> selector) {
    String cluster = selector.get(ServiceMapping.CLUSTER_KEY);
    Refusal refusal = cdsRefusal;
    if (cluster == null || refusal == null || !refusal.names().contains(cluster)
        || acceptedClusters.containsKey(cluster)) {
      return null;
    }
    return "cluster " + cluster + " has no accepted version: CDS version " + refusal.version() + " was NACKed: "
        + refusal.detail();
  }

  /**
   * Loads the files of each cluster's TLS that is new or changed, as the mesh will when it applies it, and
   * as Envoy builds a cluster's transport socket before it accepts the cluster: a file missing or
   * unreadable, or a key that is not its certificate's, is a NACK naming the cluster, the field and the
   * file, not an ACK whose calls then fail at the handshake. TLS settings unchanged since accepted are not
   * read again: the mesh keeps their identity, which follows the files' rotations on its own.
   */
  private void checkTlsFiles(Map<String, ClusterResource> clusters) {
    Set<io.meshclient.core.config.TlsConfig> loaded = new java.util.HashSet<>();
    for (ClusterResource c : new java.util.TreeMap<>(clusters).values()) { // in name order: the same NACK each time
      ClusterResource before = accepted.clusters.get(c.name());
      if (c.tls() == null || loaded.contains(c.tls()) || before != null && c.tls().equals(before.tls())) {
        continue;
      }
      try {
        c.tls().check(c.tlsKeys(), XdsClient.class.getClassLoader());
      } catch (ConfigurationException e) {
        throw new XdsInvalidException(e.getMessage());
      }
      loaded.add(c.tls());
    }
  }

  @Override
  public void onDoesNotExist(ResourceType type, String name) {
    LOG.warning(() -> "xDS: " + type + " resource " + name + " was not sent within the resource timeout: "
        + "taken not to exist; calls that need it fail");
    onChange.run();
  }

  @Override
  public void onConnection(boolean connected) {
    // the meters follow the stream; the configuration in force keeps serving while it is down
  }

  /** The notes (fields not implemented) of every service now, deduplicated. */
  List<String> notes() {
    Set<String> all = new LinkedHashSet<>();
    mappings.values().forEach(m -> all.addAll(m.notes()));
    return List.copyOf(all);
  }

  /** Swaps in {@code next}: instances first (old and new), then settings, then new instances; null if applied. */
  private String apply(Map<String, ServiceMapping> next) {
    MeshConfig config = merged(next);
    boolean configChanged = !config.equals(merged(mappings));
    if (configChanged) {
      next.forEach((service, m) -> deliver(service, union(mappings.get(service).instances(), m.instances())));
      try {
        if (mesh != null) {
          mesh.reload(() -> config);
        }
      } catch (ConfigurationException e) {
        mappings.forEach((service, m) -> deliver(service, m.instances()));
        return e.getMessage();
      }
    }
    mappings.putAll(next);
    metrics.notImplemented(notes());
    next.forEach((service, m) -> deliver(service, m.instances()));
    for (ServiceMapping m : next.values()) {
      for (String note : m.notes()) {
        if (reported.add(note)) {
          LOG.warning(() -> "xDS: not implemented: " + note);
        }
      }
    }
    return null;
  }

  /** The application's configuration with each xDS service's settings; validated (throws if invalid). */
  private MeshConfig merged(Map<String, ServiceMapping> m) {
    MeshConfig.Builder b = base != null ? base.toBuilder() : MeshConfig.builder();
    m.values().forEach(s -> b.replaceService(s.config()));
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

  private <T> void replace(Map<String, T> current, Map<String, T> got, ResourceType type) {
    if (!ignoreResourceDeletion) {
      current.keySet().removeIf(name -> !got.containsKey(name)); // state of the world: missing means deleted
    }
    current.putAll(got);
  }

  private static RouteConfiguration unpackRoutes(Any a) {
    try {
      return a.unpack(RouteConfiguration.class);
    } catch (InvalidProtocolBufferException e) {
      throw new XdsInvalidException("route_configuration", "resource", a.getTypeUrl(),
          "a decodable envoy.config.route.v3.RouteConfiguration");
    }
  }

  /** A route configuration naming a cluster CDS does not have is invalid (once CDS has answered). */
  private void checkClusters(XdsResources candidate, Set<String> routeNames) {
    if (!candidate.clustersKnown) {
      return;
    }
    for (String name : routeNames) {
      RouteConfiguration rc = candidate.routes.get(name);
      for (var vh : rc.getVirtualHostsList()) {
        for (String cluster : RouteMapper.clusters(vh)) {
          if (!candidate.clusters.containsKey(cluster)) {
            throw new XdsInvalidException("route_configuration " + name, "virtual_hosts " + vh.getName()
                + ": routes[].route.cluster", cluster, "a cluster CDS version " + stream.ackedVersion(ResourceType.CDS)
                + " has (one of " + new java.util.TreeSet<>(candidate.clusters.keySet()) + ")");
          }
        }
      }
    }
  }

  private void resubscribe() {
    Set<String> lds = new LinkedHashSet<>(services.values());
    Set<String> rds = new LinkedHashSet<>();
    Set<String> eds = new LinkedHashSet<>();
    mappings.values().forEach(m -> {
      if (m.rdsName() != null) {
        rds.add(m.rdsName());
      }
      eds.addAll(m.edsNames());
    });
    stream.subscribe(ResourceType.LDS, lds);
    stream.subscribe(ResourceType.RDS, rds);
    stream.subscribe(ResourceType.EDS, eds);
  }
}
