package io.meshclient.core.internal.istio;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kinds an Istio configuration directory holds besides the three the mesh applies, and what a mesh that makes
 * outbound calls only does with each: a kind that acts only on the called side or on gateways is skipped with one
 * line in the load report's ignored list (logged at INFO); a kind that would change outbound calls, and that the
 * mesh cannot apply, is refused, never skipped, so that calls do not go where Istio would not send them.
 */
final class IstioKinds {
  private static final Set<String> NETWORKING = Set.of("networking.istio.io/v1", "networking.istio.io/v1beta1",
      "networking.istio.io/v1alpha3");
  private static final Set<String> GATEWAY_API = Set.of("gateway.networking.k8s.io/v1",
      "gateway.networking.k8s.io/v1beta1", "gateway.networking.k8s.io/v1alpha2");
  private static final Set<String> GATEWAYS = union(NETWORKING, GATEWAY_API);
  private static final Set<String> SECURITY = Set.of("security.istio.io/v1", "security.istio.io/v1beta1");

  /** The API versions each of these kinds is read in. */
  static final Map<String, Set<String>> OTHER_KINDS = Map.ofEntries(Map.entry("Gateway", GATEWAYS),
      Map.entry("Sidecar", NETWORKING), Map.entry("EnvoyFilter", NETWORKING), Map.entry("WorkloadEntry", NETWORKING),
      Map.entry("WorkloadGroup", NETWORKING), Map.entry("ProxyConfig", NETWORKING),
      Map.entry("AuthorizationPolicy", SECURITY), Map.entry("PeerAuthentication", SECURITY),
      Map.entry("RequestAuthentication", SECURITY),
      Map.entry("Telemetry", Set.of("telemetry.istio.io/v1", "telemetry.istio.io/v1alpha1")),
      Map.entry("WasmPlugin", Set.of("extensions.istio.io/v1alpha1")), Map.entry("GatewayClass", GATEWAY_API),
      Map.entry("ReferenceGrant", GATEWAY_API), Map.entry("HTTPRoute", GATEWAY_API),
      Map.entry("GRPCRoute", GATEWAY_API), Map.entry("TLSRoute", GATEWAY_API), Map.entry("TCPRoute", GATEWAY_API),
      Map.entry("UDPRoute", GATEWAY_API));

  private IstioKinds() {}

  /** Skips {@code r}, reported in the ignored list, or refuses it, naming why it would change outbound calls. */
  static void skipOrRefuse(IstioResource r, Loading loading) {
    Map<String, Object> spec = r.spec();
    String refusal = switch (r.kind()) {
      case "EnvoyFilter" -> all(spec.get("configPatches"), p -> Set.of("SIDECAR_INBOUND", "GATEWAY")
          .contains(field(field(p, "match"), "context"))) ? null : "an EnvoyFilter patching the caller's Envoy "
          + "(configPatches whose match.context is ANY, SIDECAR_OUTBOUND or unset), which the mesh does not run: "
          + "applied by Istio, it changes outbound calls; limit its patches to SIDECAR_INBOUND or GATEWAY, or leave "
          + "it out of the files the mesh reads";
      case "Sidecar" -> spec.get("egress") == null && spec.get("outboundTrafficPolicy") == null ? null
          : "a Sidecar without egress and outboundTrafficPolicy: they restrict the hosts callers reach, which the mesh "
          + "does not apply; leave it out of the files the mesh reads";
      case "WasmPlugin" -> all(spec.get("match"), m -> "SERVER".equals(field(m, "mode"))) && spec.get("match") != null
          ? null : "a WasmPlugin whose every match has mode SERVER: else it runs in the caller's Envoy, which the "
          + "mesh does not run";
      case "WorkloadEntry", "WorkloadGroup" -> "a kind that leaves the callers' instances alone: a " + r.kind()
          + " adds instances to the services whose selectors (a Kubernetes Service, a ServiceEntry's "
          + "workloadSelector) match its labels, which the mesh does not see; list its address under a "
          + "ServiceEntry's endpoints";
      case "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute" -> all(spec.get("parentRefs"),
          p -> field(p, "kind") == null || "Gateway".equals(field(p, "kind"))) ? null : "a route bound to gateways "
          + "only: bound to a Service (GAMMA), it routes the calls to it, which the mesh reads from VirtualServices "
          + "only";
      default -> null;
    };
    if (refusal != null) {
      loading.problem(r, "kind", r.kind(), refusal);
      return;
    }
    String why = switch (r.kind()) {
      case "AuthorizationPolicy" -> "access control, enforced by the called workload's proxy (or its waypoint)";
      case "PeerAuthentication" -> "the mTLS the called workload's proxy accepts (the caller's TLS is a "
          + "DestinationRule's tls)";
      case "RequestAuthentication" -> "JWT checks, made by the called workload's proxy";
      case "Sidecar" -> "the called side's settings (ingress)";
      case "EnvoyFilter", "WasmPlugin" -> "filters of the called side's or a gateway's Envoy";
      case "Telemetry" -> "the proxies' metrics, traces and access logs (the mesh has its own)";
      case "ProxyConfig" -> "the proxies' own settings";
      case "ReferenceGrant" -> "references between namespaces for gateways";
      default -> "configuration of gateways";
    };
    loading.ignored.add(r.label() + " (" + r.file() + "): " + why + ", not of the calls this mesh makes; skipped");
  }

  /** Whether every block of {@code list} (absent: none) satisfies {@code test}. */
  private static boolean all(Object list, java.util.function.Predicate<Object> test) {
    return !(list instanceof List<?> items) || items.stream().allMatch(test);
  }

  private static Object field(Object block, String name) {
    return block instanceof Map<?, ?> map ? map.get(name) : null;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new java.util.HashSet<>(a);
    out.addAll(b);
    return Set.copyOf(out);
  }
}
