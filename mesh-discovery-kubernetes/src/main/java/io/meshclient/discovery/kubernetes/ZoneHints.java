package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.ForZone;
import java.util.Set;

/**
 * Topology Aware Routing as kube-proxy applies it, over the ready endpoints of one service (all its slices):
 * when every one of them carries {@code hints.forZones} and at least one names the caller's zone, only those
 * whose hints name it take traffic; otherwise the hints are ignored for the service. The EndpointSlice
 * controller hints endpoints only for a Service with topology-aware routing on ({@code
 * service.kubernetes.io/topology-mode: Auto}, or {@code trafficDistribution: PreferClose}), and may hint an
 * endpoint for another zone than its own to balance zones: the hint decides, not the endpoint's {@code zone}.
 * As in kube-proxy, hints play no part in the fallback to terminating endpoints (none is ready then).
 *
 * <p>A hint naming a zone that is not the caller's is simply not ours. A {@code forZones} entry without a name
 * is ignored and named in the problems ({@code <slice> ignored: ...}); an endpoint left with no named zone has
 * no hints. One use, by one thread: {@link EndpointSlices#map} makes one per mapping.
 */
final class ZoneHints {
  private final String callerZone;
  private int endpoints;
  private int hinted;
  private int forCaller;

  /** @param callerZone the caller's zone, or null or blank when it is unknown (then hints are never used) */
  ZoneHints(String callerZone) {
    this.callerZone = callerZone == null || callerZone.isBlank() ? null : callerZone;
  }

  /**
   * Notes ready endpoint {@code endpoint} of slice {@code sliceName}; returns whether its hints name the
   * caller's zone. Adds a problem to {@code problems} for each nameless {@code forZones} entry.
   */
  boolean note(String sliceName, Endpoint endpoint, Set<String> problems) {
    endpoints++;
    if (endpoint.getHints() == null || endpoint.getHints().getForZones() == null) {
      return false;
    }
    boolean named = false;
    boolean ours = false;
    for (ForZone zone : endpoint.getHints().getForZones()) {
      String name = zone == null ? null : zone.getName();
      if (name == null || name.isBlank()) {
        problems.add(sliceName + " ignored: hints.forZones name " + (name == null ? "null" : "'" + name + "'")
            + " of endpoint " + endpoint.getAddresses() + " (expected: a zone name)");
        continue;
      }
      named = true;
      ours |= name.equals(callerZone);
    }
    if (named) {
      hinted++;
    }
    if (ours) {
      forCaller++;
    }
    return ours;
  }

  /** Whether the service's traffic goes only to the endpoints hinted for the caller's zone. */
  boolean used() {
    return callerZone != null && hinted == endpoints && forCaller > 0;
  }

  /**
   * What the hints did, for the log: null when no endpoint has any; else whether they are used, and why not,
   * as kube-proxy says it.
   */
  String describe() {
    if (hinted == 0) {
      return null;
    }
    if (callerZone == null) {
      return "topology-aware hints ignored: the caller's zone is unknown (NODE_NAME naming a Node labelled "
          + KubernetesDiscovery.ZONE_LABEL + ")";
    }
    if (hinted < endpoints) {
      return "topology-aware hints ignored: " + (endpoints - hinted) + " of " + endpoints
          + " ready endpoints have none";
    }
    if (forCaller == 0) {
      return "topology-aware hints ignored: no endpoint is hinted for the caller's zone '" + callerZone + "'";
    }
    return "topology-aware hints used: calls go to the " + forCaller + " of " + endpoints
        + " ready endpoints hinted for the caller's zone '" + callerZone + "'";
  }
}
