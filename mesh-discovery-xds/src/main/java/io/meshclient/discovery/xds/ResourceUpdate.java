package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One response of one type, validated resource by resource (gRFC A46): the valid resources by name, the
 * invalid ones by name with their problem, and the NACK's error_detail naming every invalid one. A
 * resource that cannot even be decoded names nothing: it is only in the error_detail. Confined to the
 * xDS thread.
 *
 * @param <T> the validated form of a resource
 */
final class ResourceUpdate<T> {
  /**
   * Bound of the error_detail, in characters: it is logged and kept in the status, and a server that sends
   * thousands of invalid resources must not make each NACK as large as its response.
   */
  static final int MAX_DETAIL = 4096;
  private static final String WRAPPER = "type.googleapis.com/envoy.service.discovery.v3.Resource";
  /** What the error_detail ends with when it leaves invalid resources out: "; and 12 more invalid resources". */
  private static final int TAIL = 48;
  /** The shortest and longest TTL taken: Envoy's 1 ms timer granularity; what the mesh's durations hold. */
  private static final Duration MIN_TTL = Duration.ofMillis(1);
  private static final Duration MAX_TTL = Duration.ofHours(596);

  private final ResourceType type;
  private final String version;
  private final Map<String, T> valid = new LinkedHashMap<>();
  /** By name, so the same response gives the same error_detail (a resent one is then not logged again). */
  private final Map<String, String> invalid = new TreeMap<>();
  /** The problems of the resources that name nothing: undecodable, or with an empty name. */
  private final List<String> nameless = new ArrayList<>();
  private boolean undecodable;
  /** Names sent as a heartbeat (a Resource wrapper without the resource): present, their accepted version kept. */
  private final Set<String> unchanged = new LinkedHashSet<>();
  /** The TTL of each valid resource and heartbeat sent in a wrapper with a ttl; one sent without has none. */
  private final Map<String, Duration> ttls = new java.util.HashMap<>();

  private ResourceUpdate(ResourceType type, String version) {
    this.type = type;
    this.version = version;
  }

  /**
   * Decodes each resource of a response on its own.
   *
   * @param decoder validates one resource, throwing {@link XdsInvalidException} naming the field
   * @param nameOf the name of a validated resource
   */
  static <T> ResourceUpdate<T> decode(ResourceType type, String version, List<Any> resources,
      Function<Any, T> decoder, Function<T, String> nameOf) {
    ResourceUpdate<T> update = new ResourceUpdate<>(type, version);
    Set<String> seen = new java.util.HashSet<>();
    Set<String> twice = new java.util.TreeSet<>();
    for (int i = 0; i < resources.size(); i++) {
      Any sent = resources.get(i);
      Any a = sent;
      Duration ttl = null;
      String ttlProblem = null;
      if (WRAPPER.equals(sent.getTypeUrl())) { // as gRPC: go-control-plane wraps a resource that has a TTL
        Resource wrapper;
        try {
          wrapper = sent.unpack(Resource.class);
        } catch (InvalidProtocolBufferException e) {
          update.undecodable = true;
          update.nameless.add(type.kind() + ": resource: " + WRAPPER + " (expected: a decodable Resource)");
          continue;
        }
        if (wrapper.hasTtl()) {
          try {
            ttl = Protos.duration(type.kind() + " " + ServerStrings.printable(wrapper.getName()), "ttl",
                wrapper.getTtl(), MIN_TTL, MAX_TTL);
          } catch (XdsInvalidException e) {
            ttlProblem = e.getMessage();
          }
        }
        if (!wrapper.hasResource()) { // a heartbeat: unchanged, still there, its TTL started again
          if (wrapper.getName().isEmpty()) {
            update.nameless.add(unnamed(type, i, "name"));
          } else if (ttlProblem != null) {
            update.invalid.put(wrapper.getName(), ttlProblem);
          } else {
            update.unchanged.add(wrapper.getName());
            update.ttl(wrapper.getName(), ttl);
          }
          continue;
        }
        a = wrapper.getResource();
      }
      try {
        T resource = decoder.apply(a);
        String name = nameOf.apply(resource);
        if (name.isEmpty()) {
          update.nameless.add(unnamed(type, i, nameField(type)));
        } else if (!seen.add(name)) {
          twice.add(name);
        } else if (ttlProblem != null) {
          update.reject(name, ttlProblem);
        } else {
          update.valid.put(name, resource);
          update.ttl(name, ttl);
        }
      } catch (XdsInvalidException e) {
        String name = name(type, a);
        if (name == null) {
          update.undecodable = true;
          update.nameless.add(e.getMessage());
        } else if (name.isEmpty()) { // no name is the first problem: Envoy refuses it before reading further
          update.nameless.add(unnamed(type, i, nameField(type)));
        } else if (seen.add(name)) {
          update.reject(name, e.getMessage());
        } else {
          twice.add(name);
        }
      }
    }
    // Which one was meant? Envoy refuses such a response; here the name keeps its accepted version.
    twice.forEach(name -> {
      String shown = ServerStrings.printable(name);
      update.reject(name, new XdsInvalidException(type.kind() + " " + shown, "name", "'" + shown + "' sent more than "
          + "once", "one resource of each name in a response, as Envoy requires").getMessage());
    });
    return update;
  }

  private void ttl(String name, Duration ttl) {
    if (ttl != null) {
      ttls.put(name, ttl);
    }
  }

  /** The TTL {@code name}, valid or a heartbeat, was sent with; null when sent without (which clears its TTL). */
  Duration ttl(String name) {
    return ttls.get(name);
  }

  /** The names sent as a heartbeat (a Resource wrapper without its resource), which keep their accepted version. */
  Set<String> heartbeats() {
    return unchanged;
  }

  ResourceType type() {
    return type;
  }

  String version() {
    return version;
  }

  /** The valid resources, by name; {@link #reject} removes from it. */
  Map<String, T> valid() {
    return valid;
  }

  /** The invalid resources' problems, by name. */
  Map<String, String> invalid() {
    return invalid;
  }

  /**
   * Whether a resource of the response could not be decoded, so its name is unknown: it may be any resource the
   * response does not name, and none of those can be taken as deleted. (A resource decoded with an empty name
   * names no other: it is refused, and does not keep a resource the response leaves out.)
   */
  boolean hasUndecodable() {
    return undecodable;
  }

  /** Every name the response carried, valid or not: state of the world goes by these. */
  Set<String> names() {
    Set<String> names = new LinkedHashSet<>(valid.keySet());
    names.addAll(invalid.keySet());
    names.addAll(unchanged);
    return names;
  }

  /**
   * Takes {@code name} out of the valid resources: a check beyond its decoding failed with {@code detail}, which is
   * kept {@link ServerStrings#printable printable} (the mesh's refusal of a TLS file may name the file whole).
   */
  void reject(String name, String detail) {
    valid.remove(name);
    invalid.put(name, ServerStrings.printable(detail, MAX_DETAIL));
  }

  /**
   * The NACK's error_detail: every invalid resource's problem (each naming its resource and field), joined
   * by {@code "; "}, at most {@link #MAX_DETAIL} characters; null when every resource is valid.
   */
  String errorDetail() {
    List<String> all = new ArrayList<>(nameless);
    all.addAll(invalid.values());
    if (all.isEmpty()) {
      return null;
    }
    int room = MAX_DETAIL - TAIL;
    StringBuilder b = new StringBuilder();
    int shown = 0;
    for (String d : all) {
      if (shown > 0 && b.length() + 2 + d.length() > room) {
        break;
      }
      b.append(shown > 0 ? "; " : "").append(d.length() > room ? d.substring(0, room - 3) + "..." : d);
      shown++;
    }
    if (shown < all.size()) {
      b.append("; and ").append(all.size() - shown).append(" more invalid resources");
    }
    return b.toString();
  }

  /**
   * The problem of the resource at {@code index} of the response, whose {@code field} is empty: Envoy refuses a
   * resource without a name (a listener, route configuration, cluster or cluster_load_assignment), and nothing
   * could ask for it, update it or delete it.
   */
  private static String unnamed(ResourceType type, int index, String field) {
    return type.kind() + " resources[" + index + "]: " + field + ": '' (expected: a non-empty name, as Envoy requires)";
  }

  /** The field holding the name of a resource of {@code type}. */
  private static String nameField(ResourceType type) {
    return type == ResourceType.EDS ? "cluster_name" : "name";
  }

  /** The name an invalid resource carries, or null when it cannot be decoded as its type. */
  private static String name(ResourceType type, Any a) {
    try {
      return switch (type) {
        case LDS -> a.unpack(Listener.class).getName();
        case RDS -> a.unpack(RouteConfiguration.class).getName();
        case CDS -> a.unpack(Cluster.class).getName();
        case EDS -> a.unpack(ClusterLoadAssignment.class).getClusterName();
      };
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}
