package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshclient.api.spi.SettingValues;
import java.util.ArrayList;
import java.util.List;

/**
 * The usable endpoints of one EDS resource: HEALTHY and UNKNOWN only (as gRPC), with weight, locality
 * and priority.
 *
 * @param notes fields that change traffic and are not implemented, for the report
 */
record EndpointResource(String name, List<Endpoint> endpoints, List<String> notes) {
  /** The lowest priority Envoy takes (its {@code priority} field's bound). */
  static final int MAX_PRIORITY = 128;

  /** One endpoint. */
  record Endpoint(String host, int port, int weight, String region, String zone, String subZone, int priority) {}

  /** Decodes and validates one EDS resource. */
  static EndpointResource decode(Any any) {
    ClusterLoadAssignment a;
    try {
      a = any.unpack(ClusterLoadAssignment.class);
    } catch (InvalidProtocolBufferException e) {
      throw new XdsInvalidException("cluster_load_assignment", "resource", any.getTypeUrl(),
          "a decodable envoy.config.endpoint.v3.ClusterLoadAssignment");
    }
    String where = "cluster_load_assignment " + ServerStrings.printable(a.getClusterName());
    List<Endpoint> out = new ArrayList<>();
    for (int i = 0; i < a.getEndpointsCount(); i++) {
      LocalityLbEndpoints group = a.getEndpoints(i);
      if (group.hasLoadBalancingWeight() && group.getLoadBalancingWeight().getValue() == 0) {
        continue; // a locality of weight 0 takes no traffic
      }
      // uint32, read as a signed int: above 2^31 it is negative, and would outrank priority 0
      if (group.getPriority() < 0 || group.getPriority() > MAX_PRIORITY) {
        throw new XdsInvalidException(where, "endpoints[" + i + "].priority",
            Integer.toUnsignedString(group.getPriority()), "0.." + MAX_PRIORITY + ", as in Envoy");
      }
      for (int j = 0; j < group.getLbEndpointsCount(); j++) {
        LbEndpoint e = group.getLbEndpoints(j);
        if (e.getHealthStatus() != HealthStatus.HEALTHY && e.getHealthStatus() != HealthStatus.UNKNOWN) {
          continue;
        }
        String field = "endpoints[" + i + "].lb_endpoints[" + j + "].endpoint.address.socket_address";
        SocketAddress s = e.getEndpoint().getAddress().getSocketAddress();
        // as the mesh's other discoveries take addresses from outside; brackets are not Envoy's (nor an IP)
        if (!SettingValues.isHost(s.getAddress()) || s.getAddress().startsWith("[")) {
          throw new XdsInvalidException(where, field + ".address", "'" + s.getAddress() + "'",
              "an IP address or host name");
        }
        int port = s.getPortValue();
        if (port < 1 || port > 65535) {
          throw new XdsInvalidException(where, field + ".port_value", port, "1..65535");
        }
        int weight = e.hasLoadBalancingWeight() ? e.getLoadBalancingWeight().getValue() : 1;
        if (weight < 1) { // uint32: above 2^31 it reads negative
          throw new XdsInvalidException(where, "endpoints[" + i + "].lb_endpoints[" + j + "].load_balancing_weight",
              Integer.toUnsignedString(weight), "1.." + Integer.MAX_VALUE);
        }
        var l = group.getLocality();
        out.add(new Endpoint(s.getAddress(), port, weight, l.getRegion(), l.getZone(), l.getSubZone(), group.getPriority()));
      }
    }
    List<String> notes = a.getPolicy().getDropOverloadsCount() == 0 ? List.of() : List.of(where
        + ": policy.drop_overloads is not implemented: no call is dropped");
    return new EndpointResource(a.getClusterName(), List.copyOf(out), notes);
  }
}
