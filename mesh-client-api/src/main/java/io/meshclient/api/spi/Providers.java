package io.meshclient.api.spi;

import io.meshclient.api.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Finds providers by name with {@link ServiceLoader}. An unknown name is refused with a message that
 * lists the known ones.
 */
public final class Providers {
  private Providers() {}

  /**
   * The load-balancer provider called {@code name}, as seen by {@code classLoader}.
   *
   * @param configKey the configuration key that named it, for the error message
   * @throws ConfigurationException if no provider has that name
   */
  public static LoadBalancerProvider loadBalancer(String name, String configKey, ClassLoader classLoader) {
    return find(LoadBalancerProvider.class, LoadBalancerProvider::name, name, configKey, classLoader);
  }

  /**
   * The discovery provider called {@code name}, as seen by {@code classLoader}.
   *
   * @throws ConfigurationException if no provider has that name
   */
  public static ServiceDiscoveryProvider discovery(String name, String configKey, ClassLoader classLoader) {
    try {
      return find(ServiceDiscoveryProvider.class, ServiceDiscoveryProvider::name, name, configKey, classLoader);
    } catch (ConfigurationException e) {
      List<String> known = discoveryNames(classLoader);
      if (MODULES.contains(name)) {
        // One of the project's own discoveries whose module the application did not add: say which.
        throw ConfigurationException.of(configKey, name, "one of " + known
            + "; the '" + name + "' discovery is in io.meshclient:mesh-discovery-" + name + ", not on the class path");
      }
      // A misspelt name (consol): the closest of the known ones and of the project's own, wherever it is.
      TreeSet<String> meant = new TreeSet<>(known);
      meant.addAll(MODULES);
      String closest = SettingValues.closest(name, meant);
      if (closest == null) {
        throw e;
      }
      throw ConfigurationException.of(configKey, name, "one of " + known + "; did you mean '" + closest + "'?"
          + (known.contains(closest) ? ""
              : " (in io.meshclient:mesh-discovery-" + closest + ", not on the class path)"));
    }
  }

  /** The discoveries the project ships, each in its module {@code mesh-discovery-<name>}. */
  private static final java.util.Set<String> MODULES = java.util.Set.of("static", "consul", "kubernetes", "xds");

  /** The names of all load-balancer providers visible to {@code classLoader}, sorted. */
  public static List<String> loadBalancerNames(ClassLoader classLoader) {
    return names(LoadBalancerProvider.class, LoadBalancerProvider::name, classLoader);
  }

  /** The names of all discovery providers visible to {@code classLoader}, sorted. */
  public static List<String> discoveryNames(ClassLoader classLoader) {
    return names(ServiceDiscoveryProvider.class, ServiceDiscoveryProvider::name, classLoader);
  }

  private static <P> P find(
      Class<P> type, Function<P, String> nameOf, String name, String configKey, ClassLoader classLoader) {
    for (P provider : ServiceLoader.load(type, classLoader)) {
      if (nameOf.apply(provider).equals(name)) {
        return provider;
      }
    }
    throw ConfigurationException.of(configKey, name, "one of " + names(type, nameOf, classLoader));
  }

  private static <P> List<String> names(Class<P> type, Function<P, String> nameOf, ClassLoader classLoader) {
    TreeSet<String> names = new TreeSet<>();
    for (P provider : ServiceLoader.load(type, classLoader)) {
      names.add(nameOf.apply(provider));
    }
    return new ArrayList<>(names);
  }
}
