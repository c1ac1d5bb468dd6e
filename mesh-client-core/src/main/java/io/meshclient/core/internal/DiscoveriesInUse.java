package io.meshclient.core.internal;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.Providers;
import io.meshclient.core.config.MeshConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The discoveries a mesh uses, by name: those the caller supplied, and those created from configuration,
 * which the mesh owns and retires. Not thread-safe: {@link MeshRuntime} calls it under its lock.
 */
final class DiscoveriesInUse {
  private final ClassLoader classLoader;
  private final Map<String, ServiceDiscovery> supplied;
  private final Map<String, DiscoveryBinding> discoveries = new LinkedHashMap<>();
  /** The mesh's MeterRegistry, or null: discoveries created from configuration record their meters there. */
  private final Object meterRegistry;

  DiscoveriesInUse(Map<String, ServiceDiscovery> supplied, ClassLoader classLoader, Object meterRegistry) {
    this.classLoader = classLoader;
    this.supplied = Map.copyOf(supplied);
    this.meterRegistry = meterRegistry;
  }

  /**
   * Puts in {@code next} the discoveries {@code newConfig} uses: the supplied ones, those in use whose
   * settings did not change, and new ones, which are also added to {@code created}.
   */
  void resolve(MeshConfig newConfig, Map<String, DiscoveryBinding> next, List<DiscoveryBinding> created) {
    supplied.forEach((name, discovery) -> next.put(name, new DiscoveryBinding(name, discovery, null)));
    newConfig.discovery().forEach((name, settings) -> {
      if (next.containsKey(name)) {
        return;
      }
      DiscoveryBinding current = discoveries.get(name);
      if (current != null && Objects.equals(current.settings(), settings)) {
        next.put(name, current);
        return;
      }
      String key = MeshConfig.PREFIX + ".discovery." + name;
      ServiceDiscovery discovery = Providers.discovery(name, key, classLoader)
          .create(new DiscoveryContext(key, settings, meterRegistry));
      DiscoveryBinding binding = new DiscoveryBinding(name, discovery, settings);
      created.add(binding);
      next.put(name, binding);
    });
  }

  /** The discoveries in use now, those the caller supplied included. */
  List<ServiceDiscovery> all() {
    return discoveries.values().stream().map(DiscoveryBinding::discovery).toList();
  }

  /** See {@link MeshRuntime#listedServices()}. */
  Set<String> listedServices() {
    Set<String> out = new java.util.TreeSet<>();
    for (DiscoveryBinding b : discoveries.values()) {
      if (b.name().equals(io.meshclient.core.internal.istio.ServiceEntryDiscovery.NAME)) {
        continue;
      }
      Set<String> listed = b.discovery().knownServices();
      if (listed.isEmpty()) {
        return null;
      }
      out.addAll(listed);
    }
    return out;
  }

  /** The discoveries in use now, by name. */
  Map<String, ServiceDiscovery> byName() {
    Map<String, ServiceDiscovery> out = new LinkedHashMap<>();
    discoveries.forEach((name, binding) -> out.put(name, binding.discovery()));
    return out;
  }

  /** Makes {@code next} the discoveries in use, adding to {@code retired} those the mesh owns and no longer uses. */
  void replace(Map<String, DiscoveryBinding> next, List<AutoCloseable> retired) {
    for (DiscoveryBinding old : discoveries.values()) {
      if (old.ownedByMesh() && next.get(old.name()) != old) {
        retired.add(old.discovery());
      }
    }
    discoveries.clear();
    discoveries.putAll(next);
  }

  /** Retires every discovery the mesh owns: the mesh is closing. */
  void retireAll(List<AutoCloseable> retired) {
    discoveries.values().stream().filter(DiscoveryBinding::ownedByMesh).forEach(b -> retired.add(b.discovery()));
    discoveries.clear();
  }
}
