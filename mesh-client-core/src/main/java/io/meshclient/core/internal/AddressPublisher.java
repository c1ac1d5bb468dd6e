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

  AddressPublisher(io.meshclient.core.internal.tls.MeshSslSocketFactory tlsSockets,
      io.meshclient.core.internal.security.AllowListDns dns) {
    this.tlsSockets = tlsSockets;
    this.dns = dns;
  }

  /** Publishes the addresses of the instances of {@code services}, replacing those published before. */
  void publish(Map<String, ServiceRuntime> services) {
    Map<String, io.meshclient.core.internal.tls.ServiceTls> byAddress = new HashMap<>();
    Map<String, String> serviceByAddress = new HashMap<>();
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
        }
        if (runtime.allowList() != null) {
          byHost.put(host, runtime.allowList());
        }
      }
    });
    tlsSockets.update(byAddress, serviceByAddress);
    dns.update(byHost);
  }

  /** The host as OkHttp's HttpUrl spells it (lower case, IPv6 compressed, no brackets). */
  static String canonicalHost(String host) {
    return new okhttp3.HttpUrl.Builder().scheme("https").host(host).build().host();
  }
}
