package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.SettingValues;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the EndpointSlices of one service into its instances: every slice merged, an address that
 * appears in two slices taken once, only endpoints that may take traffic. Stateless.
 *
 * <p>An endpoint takes traffic unless a condition says otherwise: {@code ready} not false, {@code serving}
 * not false, {@code terminating} not true (Kubernetes says an absent {@code ready} means ready). Each
 * address becomes one instance: id and authority {@code address:port} (IPv6 bracketed), zone from the
 * endpoint, metadata {@value #NODE_NAME} and {@value #POD_NAME} plus the configured labels of the
 * {@code targetRef} pod, secure when the port's {@code appProtocol} is {@code https}.
 *
 * <p>What cannot be called is left out and named in {@link Mapped#problems()}, so that one malformed
 * slice neither fails the service nor stops its updates: a slice whose port is out of 1..65535, an
 * address that is null, blank, or neither an IP literal nor a host name, a slice with endpoints but without
 * the port {@code port-name} names (or, without {@code port-name}, with several ports and none unnamed): a
 * misspelt port name would otherwise leave the service without instances and say nothing. (A slice whose
 * port has no number is left out silently.)
 */
final class EndpointSlices {
  /** Metadata key of the endpoint's node. */
  static final String NODE_NAME = "node-name";
  /** Metadata key of the endpoint's pod. */
  static final String POD_NAME = "pod-name";

  private EndpointSlices() {}

  /**
   * What a service's slices give: its instances, sorted by id, the pods they name, and what was left out
   * ({@code <slice> left out: <why>}, sorted).
   */
  record Mapped(List<ServiceInstance> instances, Set<String> pods, List<String> problems) {}

  /** Looks up the configured labels of a pod by name; an unknown pod has none. */
  interface PodLabels {
    Map<String, String> of(String podName);
  }

  static Mapped map(String service, Collection<EndpointSlice> slices, String portName, PodLabels labels) {
    Map<String, ServiceInstance> byId = new TreeMap<>();
    Set<String> pods = new java.util.HashSet<>();
    Set<String> problems = new java.util.TreeSet<>();
    for (EndpointSlice slice : slices) {
      EndpointPort port = port(slice.getPorts(), portName);
      String sliceName = slice.getMetadata() == null ? "(unnamed)" : slice.getMetadata().getName();
      if (port == null && slice.getEndpoints() != null && !slice.getEndpoints().isEmpty()) {
        problems.add(sliceName + " left out: " + noSuchPort(slice.getPorts(), portName));
        continue;
      }
      if (port == null || port.getPort() == null || slice.getEndpoints() == null) {
        continue;
      }
      if (port.getPort() < 1 || port.getPort() > 65535) {
        problems.add(sliceName + " left out: port " + port.getPort() + " (expected: 1..65535)");
        continue;
      }
      boolean secure = "https".equalsIgnoreCase(port.getAppProtocol());
      for (Endpoint endpoint : slice.getEndpoints()) {
        if (!takesTraffic(endpoint.getConditions()) || endpoint.getAddresses() == null) {
          continue;
        }
        String pod = podName(endpoint.getTargetRef());
        Map<String, String> metadata = new HashMap<>();
        if (pod != null) {
          pods.add(pod);
          metadata.putAll(labels.of(pod));
          metadata.put(POD_NAME, pod);
        }
        if (endpoint.getNodeName() != null) {
          metadata.put(NODE_NAME, endpoint.getNodeName());
        }
        for (String address : endpoint.getAddresses()) {
          if (address == null || !SettingValues.isHost(address)) {
            problems.add(sliceName + " left out: address " + (address == null ? "null" : "'"
                + (address.length() <= 80 ? address : address.substring(0, 77) + "...") + "'")
                + " (expected: an IP address or a host name)");
            continue;
          }
          String host = address.startsWith("[") && address.endsWith("]")
              ? address.substring(1, address.length() - 1) : address;
          String id = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port.getPort();
          byId.putIfAbsent(id, new ServiceInstance(id, service, host, port.getPort(), secure,
              ServiceInstance.DEFAULT_WEIGHT, metadata, endpoint.getZone()));
        }
      }
    }
    return new Mapped(List.copyOf(byId.values()), Set.copyOf(pods), List.copyOf(problems));
  }

  /** Whether an endpoint with these conditions may take new calls. */
  static boolean takesTraffic(EndpointConditions conditions) {
    return conditions == null
        || (!Boolean.FALSE.equals(conditions.getReady()) && !Boolean.FALSE.equals(conditions.getServing())
            && !Boolean.TRUE.equals(conditions.getTerminating()));
  }

  /** Why {@link #port} found no port named {@code name} among {@code ports}: what the slice has, what was expected. */
  private static String noSuchPort(List<EndpointPort> ports, String name) {
    List<String> names = ports == null ? List.of() : ports.stream()
        .map(p -> p.getName() == null || p.getName().isEmpty() ? "(unnamed)" : p.getName()).toList();
    return (names.isEmpty() ? "no ports" : "ports " + names) + " (expected: " + (name.isEmpty()
        ? "one port, or an unnamed one; set port-name to choose one" : "a port named '" + name + "' (port-name)")
        + ")";
  }

  /** The port named {@code name}; for the empty name, the only port or else the unnamed one. */
  static EndpointPort port(List<EndpointPort> ports, String name) {
    if (ports == null || ports.isEmpty()) {
      return null;
    }
    if (name.isEmpty() && ports.size() == 1) {
      return ports.get(0);
    }
    for (EndpointPort port : ports) {
      String portName = port.getName() == null ? "" : port.getName();
      if (portName.equals(name)) {
        return port;
      }
    }
    return null;
  }

  private static String podName(ObjectReference ref) {
    return ref != null && "Pod".equals(ref.getKind()) ? ref.getName() : null;
  }
}
