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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns the EndpointSlices of one service into its instances: every slice merged, an address that
 * appears in two slices taken once, only endpoints that may take traffic. Stateless.
 *
 * <p>An endpoint takes traffic unless a condition says otherwise: {@code ready} not false, {@code serving}
 * not false, {@code terminating} not true (Kubernetes says an absent {@code ready} means ready). When no
 * endpoint of the service (on the chosen port) takes traffic, those that are {@code serving} and {@code
 * terminating} do, as kube-proxy falls back to them since Kubernetes 1.28 (ProxyTerminatingEndpoints): a
 * rolling update whose old pods all terminate before a new one is ready keeps its traffic; an absent
 * {@code serving} is the value of {@code ready}, as Kubernetes documents; {@code serving=false} never takes
 * traffic, and one ready endpoint ends the fallback. Among ready endpoints, topology-aware hints ({@code
 * hints.forZones}) choose those for the caller's zone as kube-proxy does ({@link ZoneHints}). Each
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
   * What a service's slices give: its instances, sorted by id, what was left out
   * ({@code <slice> left out: <why>} or {@code <slice> ignored: <why>}, sorted), whether the instances are
   * terminating but serving endpoints, taken because none is ready, and what topology-aware hints did (see
   * {@link ZoneHints#describe()}; null when no endpoint has any).
   */
  record Mapped(List<ServiceInstance> instances, List<String> problems,
      boolean servingTerminating, String topology) {}

  /** Looks up the configured labels of a pod by name; an unknown pod has none. */
  interface PodLabels {
    Map<String, String> of(String podName);
  }

  /**
   * Maps {@code slices}; {@code callerZone} (null when unknown) chooses among the ready endpoints when their
   * topology-aware hints apply ({@link ZoneHints}).
   */
  static Mapped map(String service, Collection<EndpointSlice> slices, String portName, PodLabels labels,
      String callerZone) {
    Set<String> problems = new TreeSet<>();
    Taken ready = new Taken();
    ZoneHints hints = new ZoneHints(callerZone);
    Taken readyForCaller = new Taken(); // the ready endpoints hinted for the caller's zone
    Taken servingTerminating = new Taken(); // called only when nothing is ready
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
        Taken into = takesTraffic(endpoint.getConditions()) ? ready
            : servingWhileTerminating(endpoint.getConditions()) ? servingTerminating : null;
        if (into != null && endpoint.getAddresses() != null) {
          into.add(service, sliceName, endpoint, port.getPort(), secure, labels);
          if (into == ready && hints.note(sliceName, endpoint, problems)) {
            readyForCaller.add(service, sliceName, endpoint, port.getPort(), secure, labels);
          }
        }
      }
    }
    boolean fallback = ready.byId.isEmpty() && !servingTerminating.byId.isEmpty();
    Taken used = fallback ? servingTerminating : hints.used() ? readyForCaller : ready;
    problems.addAll(ready.problems);
    problems.addAll(servingTerminating.problems);
    return new Mapped(List.copyOf(used.byId.values()), List.copyOf(problems), fallback,
        fallback ? null : hints.describe());
  }

  /** The instances and problems of one kind of endpoint (ready, or serving and terminating). */
  private static final class Taken {
    final Map<String, ServiceInstance> byId = new TreeMap<>();
    final Set<String> problems = new TreeSet<>();

    void add(String service, String sliceName, Endpoint endpoint, int port, boolean secure, PodLabels labels) {
      String pod = podName(endpoint.getTargetRef());
      Map<String, String> metadata = new HashMap<>();
      if (pod != null) {
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
        String id = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        byId.putIfAbsent(id, new ServiceInstance(id, service, host, port, secure,
            ServiceInstance.DEFAULT_WEIGHT, metadata, endpoint.getZone()));
      }
    }
  }

  /** Whether an endpoint with these conditions may take new calls. */
  static boolean takesTraffic(EndpointConditions conditions) {
    return conditions == null
        || (!Boolean.FALSE.equals(conditions.getReady()) && !Boolean.FALSE.equals(conditions.getServing())
            && !Boolean.TRUE.equals(conditions.getTerminating()));
  }

  /**
   * Whether an endpoint with these conditions is terminating but still serving: {@code terminating} true and
   * {@code serving} true, or absent and {@code ready} not false (Kubernetes: "If nil, consumers should defer
   * to the ready condition", and an absent {@code ready} means ready).
   */
  static boolean servingWhileTerminating(EndpointConditions conditions) {
    if (conditions == null || !Boolean.TRUE.equals(conditions.getTerminating())) {
      return false;
    }
    return conditions.getServing() != null ? conditions.getServing() : !Boolean.FALSE.equals(conditions.getReady());
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

  /** The pods the endpoints of {@code slices} are, used or not. */
  static Set<String> pods(Collection<EndpointSlice> slices) {
    Set<String> pods = new HashSet<>();
    for (EndpointSlice slice : slices) {
      if (slice.getEndpoints() != null) {
        slice.getEndpoints().forEach(e -> {
          String pod = podName(e.getTargetRef());
          if (pod != null) {
            pods.add(pod);
          }
        });
      }
    }
    return Set.copyOf(pods);
  }

  private static String podName(ObjectReference ref) {
    return ref != null && "Pod".equals(ref.getKind()) ? ref.getName() : null;
  }
}
