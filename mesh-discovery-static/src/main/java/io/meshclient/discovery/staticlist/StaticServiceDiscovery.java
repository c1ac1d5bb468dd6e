package io.meshclient.discovery.staticlist;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A fixed list of instances per service. A watch receives its service's list at once, on the calling
 * thread, and never again. Immutable and thread-safe; closing it does nothing.
 */
public final class StaticServiceDiscovery implements ServiceDiscovery {
  private final Map<String, List<ServiceInstance>> services;

  private StaticServiceDiscovery(Map<String, List<ServiceInstance>> services) {
    Map<String, List<ServiceInstance>> copy = new LinkedHashMap<>();
    services.forEach((name, list) -> copy.put(name, List.copyOf(list)));
    this.services = java.util.Collections.unmodifiableMap(copy);
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Watch watch(String service, Listener listener) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(listener, "listener");
    listener.onSnapshot(services.getOrDefault(service, List.of()));
    return () -> {};
  }

  @Override
  public Set<String> knownServices() {
    return services.keySet();
  }

  /** The instances of every service, in configuration order. */
  public Map<String, List<ServiceInstance>> services() {
    return services;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "StaticServiceDiscovery" + services.keySet();
  }

  /** Collects instances. Not thread-safe. */
  public static final class Builder {
    private final Map<String, List<ServiceInstance>> services = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds an instance of {@code service} at {@code url} ({@code http(s)://host:port}), weight 1, no metadata.
     *
     * @throws io.meshclient.api.ConfigurationException if {@code url} is not an instance URL, as {@link
     *     #instance(String, String, int, Map)} checks it
     */
    public Builder instance(String service, String url) {
      return instance(service, url, ServiceInstance.DEFAULT_WEIGHT, Map.of());
    }

    /**
     * Adds an instance of {@code service} at {@code url} with a weight and metadata. The URL is checked as {@code
     * url} in configuration is: http or https, a host, a port from 1 to 65535 (none: 80, or 443 for https), and no
     * user info, path, query or fragment; its id is {@code host:port}.
     *
     * @throws io.meshclient.api.ConfigurationException (an {@link IllegalArgumentException}) naming {@code url}, its
     *     value (without user info) and what was expected
     */
    public Builder instance(String service, String url, int weight, Map<String, String> metadata) {
      List<String> problems = new ArrayList<>();
      StaticDiscoveryProvider.Address address =
          StaticDiscoveryProvider.address("url", Objects.requireNonNull(url, "url"), problems);
      if (address == null) {
        throw new io.meshclient.api.ConfigurationException(problems);
      }
      return instance(address.instance(null, service, weight, metadata, ""));
    }

    /** Adds an instance as it is. */
    public Builder instance(ServiceInstance instance) {
      services.computeIfAbsent(instance.service(), s -> new ArrayList<>()).add(instance);
      return this;
    }

    public StaticServiceDiscovery build() {
      return new StaticServiceDiscovery(services);
    }
  }
}
