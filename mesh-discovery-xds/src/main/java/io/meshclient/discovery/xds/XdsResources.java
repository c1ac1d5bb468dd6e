package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The validated resources last accepted, by type and name, and the resources whose last version sent was
 * invalid. Copied for each candidate update, so a refused response leaves the accepted state untouched.
 * Confined to the xDS thread.
 */
final class XdsResources {
  final Map<String, ListenerResource> listeners;
  final Map<String, RouteConfiguration> routes;
  final Map<String, ClusterResource> clusters;
  final Map<String, EndpointResource> endpoints;
  /**
   * By type, the names whose last version sent was invalid (NACKed): such a name keeps its accepted
   * version above if it has one, else it is treated as not existing, for the reason given here.
   */
  final Map<ResourceType, Map<String, Rejection>> rejected;
  /** Whether a CDS response was applied, so a cluster missing from {@link #clusters} is known not to exist. */
  boolean clustersKnown;

  /**
   * An invalid resource, or one removed: a listener deleted, or any resource whose TTL passed.
   *
   * @param version the version_info of the response that sent it (or deleted it)
   * @param detail its problem, naming the resource and the field; null for a listener deleted or a TTL passed
   * @param ttl the TTL it was sent with and that passed without a heartbeat or update; null if none passed
   */
  record Rejection(String version, String detail, java.time.Duration ttl) {
    Rejection(String version, String detail) {
      this(version, detail, null);
    }

    /** A listener the response of {@code version} deleted (left out): known not to exist. */
    static Rejection deleted(String version) {
      return new Rejection(version, null);
    }

    /** A resource sent in {@code version} with {@code ttl}, which passed: removed as if deleted, as Envoy does. */
    static Rejection expired(String version, java.time.Duration ttl) {
      return new Rejection(version, null, ttl);
    }

    boolean isDeletion() {
      return detail == null && ttl == null;
    }

    /** Why calls needing {@code kind name} ({@code "cluster outbound|..."}) fail when it has no accepted version. */
    String reason(String kind, String name, ResourceType type) {
      String v = ServerStrings.printable(version);
      String n = ServerStrings.printable(name);
      if (ttl != null) {
        return kind + " " + n + " expired: the control plane sent it with a TTL of " + ttl.toMillis() + " ms (" + type
            + " version " + v + ") and no heartbeat or update within it: removed, as Envoy removes it";
      }
      return isDeletion() ? kind + " " + n + " was deleted by the control plane (" + type + " version " + v + ")"
          : kind + " " + n + " has no accepted version: the control plane sent an invalid one (" + type
              + " version " + v + ", NACKed): " + detail;
    }
  }

  XdsResources() {
    this(new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>(), new EnumMap<>(ResourceType.class), false);
    for (ResourceType t : ResourceType.values()) {
      rejected.put(t, new HashMap<>());
    }
  }

  private XdsResources(Map<String, ListenerResource> listeners, Map<String, RouteConfiguration> routes,
      Map<String, ClusterResource> clusters, Map<String, EndpointResource> endpoints,
      Map<ResourceType, Map<String, Rejection>> rejected, boolean clustersKnown) {
    this.listeners = listeners;
    this.routes = routes;
    this.clusters = clusters;
    this.endpoints = endpoints;
    this.rejected = rejected;
    this.clustersKnown = clustersKnown;
  }

  XdsResources copy() {
    Map<ResourceType, Map<String, Rejection>> r = new EnumMap<>(ResourceType.class);
    rejected.forEach((type, byName) -> r.put(type, new HashMap<>(byName)));
    return new XdsResources(new HashMap<>(listeners), new HashMap<>(routes), new HashMap<>(clusters),
        new HashMap<>(endpoints), r, clustersKnown);
  }

  /**
   * Puts {@code update}'s valid resources into {@code current}, this one's map of their type (state of the world:
   * for LDS and CDS, a name missing from the response is deleted, unless {@code ignoreResourceDeletion} or a
   * resource of the response cannot be decoded, which might be it; an invalid resource is present, not missing) and records its invalid ones, which keep their accepted version if
   * they have one.
   */
  <T> ResourceUpdate<T> take(Map<String, T> current, boolean ignoreResourceDeletion, ResourceUpdate<T> update) {
    Map<String, Rejection> rejectedOfType = rejected.get(update.type());
    if (update.type().missingMeansDeleted() && !ignoreResourceDeletion && !update.hasUndecodable()) {
      Set<String> present = update.names();
      Set<String> gone = new java.util.HashSet<>(current.keySet());
      gone.addAll(rejectedOfType.keySet());
      gone.removeAll(present);
      current.keySet().removeAll(gone);
      if (update.type() == ResourceType.LDS) { // known not to exist, and why (gRFC A53); freed once unsubscribed
        gone.forEach(name -> rejectedOfType.compute(name, (n, r) -> r != null && r.isDeletion() ? r
            : Rejection.deleted(update.version())));
      } else {
        rejectedOfType.keySet().removeAll(gone);
      }
    }
    current.putAll(update.valid());
    update.valid().keySet().forEach(rejectedOfType::remove);
    update.invalid().forEach((name, detail) -> rejectedOfType.put(name, new Rejection(update.version(), detail)));
    return update;
  }

  /** How many resources of {@code type} have an accepted version. */
  int size(ResourceType type) {
    return byName(type).size();
  }

  /**
   * Frees the resources of {@code type} (LDS, RDS or EDS) that are neither in {@code keep} nor in {@code
   * lastSent}, the names the last response of the type applied carried, with their rejections: once a name is
   * unsubscribed its state goes, as Envoy's and gRPC's, while a state-of-the-world server that sends more than
   * asked for is held to what it sends now (a resource sent before anything needs it, such as endpoints ahead of
   * their cluster, serves as soon as a service does).
   */
  boolean release(ResourceType type, Set<String> keep, Set<String> lastSent) {
    java.util.function.Predicate<String> unused = name -> !keep.contains(name) && !lastSent.contains(name);
    return byName(type).keySet().removeIf(unused) | rejected.get(type).keySet().removeIf(unused);
  }

  /** Puts back {@code accepted}'s version of {@code name} of {@code type}, or none when it has none. */
  @SuppressWarnings("unchecked") // both maps are byName(type)'s, of one value type
  void restore(ResourceType type, String name, XdsResources accepted) {
    Object before = accepted.byName(type).get(name);
    Map<String, Object> mine = (Map<String, Object>) byName(type);
    if (before == null) {
      mine.remove(name);
    } else {
      mine.put(name, before);
    }
  }

  /** The accepted version of {@code name} of {@code type}, or null. */
  Object get(ResourceType type, String name) {
    return byName(type).get(name);
  }

  /** The names of {@code type} with an accepted version (a view). */
  Set<String> names(ResourceType type) {
    return byName(type).keySet();
  }

  /** Removes {@code name} of {@code type}, recording why: {@code removal}. */
  void remove(ResourceType type, String name, Rejection removal) {
    byName(type).remove(name);
    rejected.get(type).put(name, removal);
  }

  private Map<String, ?> byName(ResourceType type) {
    return switch (type) {
      case LDS -> listeners;
      case RDS -> routes;
      case CDS -> clusters;
      case EDS -> endpoints;
    };
  }

  /** The rejection of {@code name}, when its last version sent was invalid and none was accepted; else null. */
  Rejection withoutVersion(ResourceType type, String name) {
    return byName(type).containsKey(name) ? null : rejected.get(type).get(name);
  }
}
