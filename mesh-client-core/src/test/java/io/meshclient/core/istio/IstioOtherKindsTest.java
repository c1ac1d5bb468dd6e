package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An Istio configuration directory holds more than routing: the kinds that act only on the called side or on
 * gateways are skipped, each with one line in the load report, and the routing around them applies; the kinds that
 * would change outbound calls, which the mesh cannot apply, are refused, naming why. The mesh once refused the whole
 * directory for an AuthorizationPolicy ("kind: one of ...") and only reported an EnvoyFilter, a Sidecar's egress or
 * a WorkloadEntry.
 */
@Timeout(60)
class IstioOtherKindsTest extends BookinfoIstioTest {
  /** The kinds skipped, each as a directory would hold it, by name. */
  private static final Map<String, String> CALLED_SIDE = Map.of(
      "AuthorizationPolicy", "security.istio.io/v1|{ action: DENY, rules: [{ from: [{ source: { notNamespaces: "
          + "[default] } }] }] }",
      "PeerAuthentication", "security.istio.io/v1beta1|{ mtls: { mode: STRICT } }",
      "RequestAuthentication", "security.istio.io/v1|{ jwtRules: [{ issuer: https://issuer.example.com }] }",
      "Telemetry", "telemetry.istio.io/v1|{ accessLogging: [{ providers: [{ name: envoy }] }] }",
      "Gateway", "networking.istio.io/v1|{ selector: { istio: ingressgateway }, servers: [] }",
      "ProxyConfig", "networking.istio.io/v1beta1|{ concurrency: 2 }",
      "Sidecar", "networking.istio.io/v1|{ ingress: [{ port: { number: 9080, protocol: HTTP, name: http } }] }",
      "EnvoyFilter", "networking.istio.io/v1alpha3|{ configPatches: [{ applyTo: HTTP_FILTER, match: { context: "
          + "GATEWAY } }] }",
      "WasmPlugin", "extensions.istio.io/v1alpha1|{ url: oci://example.com/f:1, match: [{ mode: SERVER }] }",
      "HTTPRoute", "gateway.networking.k8s.io/v1|{ parentRefs: [{ name: ingress }], rules: [] }");

  private static String resource(String kind, String versionAndSpec) {
    String[] parts = versionAndSpec.split("\\|", 2);
    return "apiVersion: " + parts[0] + "\nkind: " + kind + "\nmetadata: { name: x }\nspec: " + parts[1] + "\n";
  }

  private Path directory(String... documents) throws IOException {
    Path istio = Files.createDirectories(dir.resolve("istio"));
    Files.writeString(istio.resolve("00-routing.yaml"), DESTINATION_RULES + "---\n"
        + IstioWatchedDirectoryTest.reviewsTo("v2"));
    for (int i = 0; i < documents.length; i++) {
      Files.writeString(istio.resolve("other-" + i + ".yaml"), documents[i]);
    }
    return istio;
  }

  @Test
  void kindsActingOnTheCalledSideOrOnGatewaysAreSkippedAndReportedAndRoutingApplies() throws Exception {
    bookinfo();
    List<String> documents = new java.util.ArrayList<>(CALLED_SIDE.entrySet().stream()
        .map(e -> resource(e.getKey(), e.getValue())).toList());
    documents.add("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: allow-nothing }\n");
    Path istio = directory(documents.toArray(String[]::new));
    try (Mesh mesh = Mesh.builder().istioConfig(istio).discovery("memory", discovery).build()) {
      assertThat(mesh.istioReport().ignored()).hasSize(CALLED_SIDE.size() + 1).allSatisfy(line -> assertThat(line)
          .endsWith(", not of the calls this mesh makes; skipped"));
      assertThat(mesh.istioReport().ignored()).anySatisfy(line -> assertThat(line).isEqualTo(
          "AuthorizationPolicy default/x (" + istio.resolve("other-" + List.copyOf(CALLED_SIDE.keySet())
              .indexOf("AuthorizationPolicy") + ".yaml") + "): access control, enforced by the called workload's "
              + "proxy (or its waypoint), not of the calls this mesh makes; skipped"));
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v2");
      }
    }
  }

  @Test
  void kindsThatWouldChangeOutboundCallsAreRefusedNamingWhy() throws Exception {
    bookinfo();
    Map<String, String> outbound = Map.of(
        "EnvoyFilter", "networking.istio.io/v1alpha3|{ configPatches: [{ applyTo: HTTP_FILTER, match: { context: "
            + "SIDECAR_OUTBOUND } }] }",
        "Sidecar", "networking.istio.io/v1|{ egress: [{ hosts: [\"./*\"] }] }",
        "WorkloadEntry", "networking.istio.io/v1|{ address: 10.0.0.7, labels: { app: reviews } }",
        "HTTPRoute", "gateway.networking.k8s.io/v1|{ parentRefs: [{ group: '', kind: Service, name: reviews }] }");
    Map<String, String> why = Map.of(
        "EnvoyFilter", "an EnvoyFilter patching the caller's Envoy (configPatches whose match.context is ANY, "
            + "SIDECAR_OUTBOUND or unset), which the mesh does not run: applied by Istio, it changes outbound calls; "
            + "limit its patches to SIDECAR_INBOUND or GATEWAY, or leave it out of the files the mesh reads",
        "Sidecar", "a Sidecar without egress and outboundTrafficPolicy: they restrict the hosts callers reach, which "
            + "the mesh does not apply; leave it out of the files the mesh reads",
        "WorkloadEntry", "a kind that leaves the callers' instances alone: a WorkloadEntry adds instances to the "
            + "services whose selectors (a Kubernetes Service, a ServiceEntry's workloadSelector) match its labels, "
            + "which the mesh does not see; list its address under a ServiceEntry's endpoints",
        "HTTPRoute", "a route bound to gateways only: bound to a Service (GAMMA), it routes the calls to it, which "
            + "the mesh reads from VirtualServices only");
    for (String kind : outbound.keySet()) {
      Path istio = directory(resource(kind, outbound.get(kind)));
      assertThatThrownBy(() -> Mesh.builder().istioConfig(istio).discovery("memory", discovery).build())
          .as(kind).isInstanceOf(ConfigurationException.class)
          .hasMessage(istio.resolve("other-0.yaml") + ": " + kind + " default/x: kind: " + kind + " (expected: "
              + why.get(kind) + ")");
    }
  }
}
