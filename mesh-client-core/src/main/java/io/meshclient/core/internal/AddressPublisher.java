package io.meshclient.core.internal;

import io.meshclient.api.ServiceInstance;
import java.util.HashMap;
import java.util.Map;

/**
 * Tells the TLS socket factory which instance addresses belong to which service's TLS settings, and
 * the resolver which instance hosts are held to which allow-list. Called under the runtime's lock, after
 * each swap of the service snapshots.
 */
final class AddressPublisher {
  private final io.meshclient.core.internal.tls.MeshSslSocketFactory tlsSockets;
  private final io.meshclient.core.internal.security.AllowListDns dns;
  /** The own TLS clients of the services that share an instance address, by service (under the runtime's lock). */
  private final Map<String, io.meshclient.core.internal.tls.SubsetTls> ownClients = new HashMap<>();

  AddressPublisher(io.meshclient.core.internal.tls.MeshSslSocketFactory tlsSockets,
      io.meshclient.core.internal.security.AllowListDns dns) {
    this.tlsSockets = tlsSockets;
    this.dns = dns;
  }

  /** Publishes the addresses of the instances of {@code services}, replacing those published before. */
  void publish(Map<String, ServiceRuntime> services) {
    Map<String, io.meshclient.core.internal.tls.ServiceTls> byAddress = new HashMap<>();
    Map<String, String> serviceByAddress = new HashMap<>();
    Map<String, java.util.TreeSet<String>> servicesAt = new HashMap<>();
    Map<String, io.meshclient.core.internal.security.AddressAllowList> byHost = new HashMap<>();
    services.values().forEach(runtime -> {
      if (runtime.tls() == null && runtime.allowList() == null
          && runtime.instances().stream().noneMatch(ServiceInstance::secure)) {
        return; // nothing to publish (and no need to load OkHttp's URL code for canonicalHost)
      }
      for (ServiceInstance instance : runtime.instances()) {
        String host;
        try {
          host = canonicalHost(instance.host());
        } catch (IllegalArgumentException e) {
          continue; // not a URL host: no call reaches it (each fails as a connect failure)
        }
        if (runtime.tls() != null) {
          byAddress.put(host + ":" + instance.port(), runtime.tls());
        }
        if (runtime.tls() != null || instance.secure()) {
          serviceByAddress.put(host + ":" + instance.port(), runtime.name());
          servicesAt.computeIfAbsent(host + ":" + instance.port(), a -> new java.util.TreeSet<>()).add(runtime.name());
        }
        if (runtime.allowList() != null) {
          byHost.put(host, runtime.allowList());
        }
      }
    });
    Map<String, String> shared = new HashMap<>();
    java.util.Set<String> sharing = new java.util.HashSet<>();
    servicesAt.forEach((address, names) -> {
      if (names.size() > 1) {
        shared.put(address, String.join(", ", names));
        sharing.addAll(names);
      }
    });
    services.values().forEach(runtime -> runtime.sharedAddressTls(sharing.contains(runtime.name())
        ? ownClient(runtime) : null));
    ownClients.keySet().retainAll(sharing);
    tlsSockets.update(byAddress, serviceByAddress, shared);
    dns.update(byHost);
  }

  /**
   * The TLS client of {@code runtime}'s calls while an address of its instances is shared with another service:
   * the one it had if its TLS settings are the same, so its pooled connections stay its own.
   */
  private io.meshclient.core.internal.tls.SubsetTls ownClient(ServiceRuntime runtime) {
    io.meshclient.core.internal.tls.SubsetTls current = ownClients.get(runtime.name());
    if (current == null || current.tls() != runtime.tls()) {
      current = new io.meshclient.core.internal.tls.SubsetTls(runtime.name(), runtime.tls(), tlsSockets);
      ownClients.put(runtime.name(), current);
    }
    return current;
  }

  /** The host as OkHttp's HttpUrl spells it (lower case, IPv6 compressed, no brackets). */
  static String canonicalHost(String host) {
    return new okhttp3.HttpUrl.Builder().scheme("https").host(host).build().host();
  }
}
