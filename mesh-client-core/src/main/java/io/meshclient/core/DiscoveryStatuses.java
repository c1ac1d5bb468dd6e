package io.meshclient.core;

import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.ServiceDiscovery;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** How each discovery in use is doing, for {@link Mesh#discoveryStatus()}. */
final class DiscoveryStatuses {
  private DiscoveryStatuses() {}

  /**
   * The status of each of {@code discoveries}, by name and in their order; a discovery whose {@code status()}
   * throws is shown as {@code UNKNOWN} with the error. Called outside the runtime's lock.
   */
  static Map<String, DiscoveryStatus> of(Map<String, ServiceDiscovery> discoveries) {
    Map<String, DiscoveryStatus> out = new java.util.LinkedHashMap<>();
    discoveries.forEach((name, discovery) -> {
      DiscoveryStatus status;
      try {
        status = Objects.requireNonNull(discovery.status(), "status()");
      } catch (RuntimeException e) {
        status = new DiscoveryStatus(DiscoveryStatus.Connection.UNKNOWN, null,
            0, "status() failed: " + e.getClass().getSimpleName(), Map.of(), List.of());
      }
      out.put(name, status);
    });
    return java.util.Collections.unmodifiableMap(out);
  }
}
