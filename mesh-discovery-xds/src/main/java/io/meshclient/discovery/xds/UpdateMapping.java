package io.meshclient.discovery.xds;

import io.meshclient.core.config.ServiceConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** The services mapped over a response's candidate, a resource of it blamed for each that cannot be. Stateless. */
final class UpdateMapping {
  private UpdateMapping() {}

  /**
   * Maps every service over {@code candidate}. A service that cannot be mapped blames the listener (LDS)
   * or route configuration (RDS) of {@code update} it uses: that resource is rejected, keeps its accepted
   * version (or none), and the services are mapped again. A failure no resource of {@code update} explains
   * is thrown: the response is refused whole.
   *
   * @param services by service, its listener
   * @param baseOf the application's own settings for a service, or null
   * @param accepted the resources accepted before {@code update}
   */
  static Map<String, ServiceMapping> mapServices(Map<String, String> services, String discoveryName,
      Function<String, ServiceConfig> baseOf, XdsResources accepted, XdsResources candidate, ResourceUpdate<?> update) {
    Map<String, ServiceMapping> next = new HashMap<>();
    for (var it = services.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      try {
        next.put(e.getKey(), ServiceMapping.map(e.getKey(), e.getValue(), discoveryName, baseOf.apply(e.getKey()),
            candidate));
      } catch (XdsInvalidException ex) {
        ListenerResource listener = candidate.listeners.get(e.getValue());
        String blamed = update.type() == ResourceType.LDS ? e.getValue()
            : update.type() == ResourceType.RDS && listener != null ? listener.rdsName() : null;
        if (blamed == null || !update.valid().containsKey(blamed)) {
          throw ex;
        }
        update.reject(blamed, ex.getMessage());
        candidate.rejected.get(update.type()).put(blamed, new XdsResources.Rejection(update.version(), ex.getMessage()));
        candidate.restore(update.type(), blamed, accepted);
        next.clear();
        it = services.entrySet().iterator(); // bounded: each pass rejects one more resource of the update
      }
    }
    return next;
  }
}
