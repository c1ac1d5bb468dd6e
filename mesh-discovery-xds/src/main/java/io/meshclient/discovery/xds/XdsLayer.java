package io.meshclient.discovery.xds;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The mesh's layer ({@link Mesh#layer}): the application's configuration with xDS's services over it, each
 * mapped again from the application's settings for it, so that a reload changing them (a timeout, a rate
 * limit, a retry policy) applies at once, not at xDS's next push. Keeps, by service, the resources its mapping
 * in force was made of (copies no one changes), and the copy of the accepted resources the services mapped
 * between two responses share. Changed on the xDS thread; the layer itself runs on whichever thread reloads
 * the mesh, under the mesh's reload lock.
 */
final class XdsLayer {
  private final String discoveryName;
  /** The services the application lists ({@code mesh.discovery.xds.services}): kept, watched or not. */
  private final Set<String> configured;
  private Mesh mesh;
  /** The discovery whose layer this is: the owner of the layer, whose watches the instances laid with it are. */
  private ServiceDiscovery source;
  /** The application's configuration xDS's services are laid over, as the mesh last gave it. */
  private volatile MeshConfig base;
  /**
   * The services xDS watches now, published on the xDS thread: a reload lays no other (a watch the mesh
   * closed may have forgotten one that a layer in force still holds).
   */
  private volatile Set<String> watched = Set.of();
  /** By service, the resources (a copy no one changes) its mapping in force was made of; xDS thread. */
  private final Map<String, XdsResources> mappedFrom = new HashMap<>();
  /**
   * A copy of the accepted resources no one changes, shared by every service mapped from them (so services
   * added one by one between two responses hold one copy, not one each); null once they changed since it was
   * made.
   */
  private XdsResources acceptedCopy;

  XdsLayer(String discoveryName, Set<String> configured) {
    this.discoveryName = discoveryName;
    this.configured = Set.copyOf(configured);
  }

  /** Whether {@code service} is one the application lists. */
  boolean configured(String service) {
    return configured.contains(service);
  }

  /** The application's own settings for {@code service}, or null. */
  ServiceConfig baseOf(String service) {
    return base == null ? null : base.services().get(service);
  }

  /**
   * Lays what xDS describes over {@code meshToConfigure}'s configuration, as {@code discovery}, from the next {@link
   * #lay} on, which the caller runs next.
   */
  void attach(Mesh meshToConfigure, ServiceDiscovery discovery) {
    this.mesh = meshToConfigure;
    this.source = discovery;
    this.base = meshToConfigure.config();
  }

  /** Stops laying anything over {@code closing}'s configuration, if it is the mesh attached: it is closing. */
  void detach(Mesh closing) {
    if (mesh == closing) {
      mesh = null;
    }
  }

  /** {@code names} are the services xDS watches from now on. */
  void watching(Set<String> names) {
    watched = Set.copyOf(names);
  }

  /** {@code service}, just mapped from {@code accepted}. */
  void mapped(String service, XdsResources accepted) {
    mappedFrom.put(service, sharedCopy(accepted));
  }

  /** {@code service} is forgotten. */
  void forget(String service) {
    mappedFrom.remove(service);
  }

  /** The accepted resources changed: the next service mapped from them gets a copy of its own. */
  void acceptedChanged() {
    acceptedCopy = null;
  }

  /** {@code copy}, a copy no one changes of the resources just accepted, is shared from now on. */
  void accepted(XdsResources copy) {
    acceptedCopy = copy;
  }

  /** A copy no one changes of {@code accepted}, shared until {@link #acceptedChanged}. */
  XdsResources sharedCopy(XdsResources accepted) {
    if (acceptedCopy == null) {
      acceptedCopy = accepted.copy();
    }
    return acceptedCopy;
  }

  /** By service, {@code resources}, or for one {@code held} for its endpoints, those its mapping in force came from. */
  Map<String, XdsResources> from(Set<String> services, Set<String> held, XdsResources resources) {
    Map<String, XdsResources> out = new HashMap<>();
    services.forEach(s -> out.put(s, held.contains(s) ? mappedFrom.get(s) : resources));
    return out;
  }

  /**
   * Lays {@code names} (their listeners in {@code listeners}), mapped from {@code from}, those in {@code closed}
   * failed closed, over the application's configuration in the mesh now, if attached, and on its reloads; the
   * mesh takes their {@code instances} in the same swap, so that no call sees their new settings with their old
   * instances, or the other way round.
   *
   * @throws ConfigurationException if the mesh refuses them; the services laid before, and their instances, stay
   */
  void lay(Set<String> names, Map<String, String> listeners, Map<String, XdsResources> from, Set<String> closed,
      Map<String, List<ServiceInstance>> instances) {
    if (mesh == null) {
      return;
    }
    // The candidate is held by the layer given to the mesh, never by a field: a reload on another thread, before
    // or after this one under the mesh's reload lock, lays the services in force, and a refused layer is
    // replaced by the one before it under that same lock (Mesh.layer), so no reload ever sees it.
    mesh.layer(source, new Layer(LaidServices.of(names, listeners, from, closed)), instances);
  }

  /** {@code from}'s services still watched ({@code listeners}) are in force, mapped from the resources it gives them. */
  void inForce(Map<String, String> listeners, Map<String, XdsResources> from) {
    from.keySet().retainAll(listeners.keySet());
    mappedFrom.putAll(from);
  }

  /** The layer the mesh runs on each reload, under its reload lock: {@code laid} over the application's configuration. */
  private final class Layer implements UnaryOperator<MeshConfig> {
    private final LaidServices laid;

    Layer(LaidServices laid) {
      this.laid = laid;
    }

    @Override
    public MeshConfig apply(MeshConfig application) {
      // Only here, under the mesh's reload lock, so a newer configuration is never replaced by an older one.
      base = application;
      try {
        return merged(application, laid.retain(watched).map(application, discoveryName));
      } catch (XdsInvalidException e) { // the mesh's reload contract: a refused configuration is a ConfigurationException
        throw new ConfigurationException(List.of(e.getMessage()));
      }
    }
  }

  /** {@link #merged(MeshConfig, Map)} over the application's configuration the mesh last gave. */
  MeshConfig merged(Map<String, ServiceMapping> m) {
    return merged(base, m);
  }

  /**
   * {@code application}'s configuration with the settings xDS gives each service it still names ({@code
   * mesh.services}) or that {@code mesh.discovery.xds.services} lists, validated (throws if invalid); a service
   * the application dropped is not put back.
   */
  private MeshConfig merged(MeshConfig application, Map<String, ServiceMapping> m) {
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
}
