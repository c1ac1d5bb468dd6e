package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A value Istio's own schema allows but the mesh does not (51 attempts, 2,000,000 consecutive errors, a header value
 * with a line break, an empty CA file name) was refused naming the mesh key it translates to, {@code
 * mesh.services.reviews.routes[0].retry.attempts: 51}, a key and a number the user never wrote. Each is refused
 * naming the Istio file, resource and field, with the value as written.
 */
@Timeout(60)
class IstioProblemsNameIstioFieldsTest extends LoopbackIstioTest {
  private static final String DR = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: { name: reviews }
      spec:
        host: reviews
        subsets: [{ name: v1, labels: { version: v1 }, trafficPolicy: SUBSET_POLICY }]
        trafficPolicy: POLICY
      ---
      """;
  private static final String VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: { name: reviews }
      spec:
        hosts: [reviews]
        http:
          - route: [{ destination: { host: reviews, subset: v1 } }]
            ROUTE
      """;

  private Mesh mesh(Path file, int port) {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        ServiceInstance.builder("reviews", "127.0.0.1", port).metadata(Map.of("version", "v1")).build()));
    return Mesh.builder().istioConfig(file).discovery("memory", discovery).build();
  }

  /** The problems building a mesh over {@code file} is refused with. */
  private List<String> refusals(Path file) {
    try (Mesh mesh = mesh(file, 1)) {
      throw new AssertionError("built: " + mesh);
    } catch (ConfigurationException e) {
      return e.problems();
    }
  }

  private static String istio(String policy, String subsetPolicy, String route) {
    return DR.replace("SUBSET_POLICY", subsetPolicy).replace("POLICY", policy) + VS.replace("ROUTE", route);
  }

  @Test
  void valuesIstioAllowsAndTheMeshDoesNotAreRefusedNamingTheIstioField() throws Exception {
    Path file = file(istio("{ outlierDetection: { consecutive5xxErrors: 2000000 } }",
        "{ outlierDetection: { consecutiveGatewayErrors: 2000000 } }", "retries: { attempts: 50 }"));
    String where = file + ": ";
    assertThat(refusals(file)).containsExactlyInAnyOrder(
        where + "DestinationRule default/reviews: spec.subsets[0].trafficPolicy.outlierDetection.consecutiveGatewayErrors: "
            + "2000000 (expected: an integer from 0 to 1000000)",
        where + "DestinationRule default/reviews: spec.trafficPolicy.outlierDetection.consecutive5xxErrors: 2000000 "
            + "(expected: an integer from 0 to 1000000)",
        where + "VirtualService default/reviews: spec.http[0].retries.attempts: 50 (expected: an integer from 0 to "
            + "9)");
  }

  @Test
  void whatOnlyTheMeshsValidatorRefusesIsReportedAtTheIstioFieldItCameFrom() throws Exception {
    Path file = file(istio("{ tls: { mode: SIMPLE, caCertificates: '' } }", "{}",
        "headers: { request: { set: { x-a: \"a\\r\\nInjected: 1\" } } }\n      rewrite: { uri: 'no-slash' }"));
    String where = file + ": ";
    assertThat(refusals(file)).containsExactlyInAnyOrder(
        where + "DestinationRule default/reviews: spec.trafficPolicy.tls.caCertificates: '' (expected: the location "
            + "of a PEM CA bundle, such as file:/etc/mesh/ca.pem)",
        where + "VirtualService default/reviews: spec.http[0].headers.request.set.x-a: a\\r\\nInjected: 1 (expected: "
            + "printable ASCII (OkHttp sends no other character in a header value))",
        where + "VirtualService default/reviews: spec.http[0].rewrite.uri: no-slash (expected: a path starting with "
            + "'/', without a query, fragment, spaces or line breaks (percent-encode other characters))");
  }

  @Test
  void aCertificateFileADestinationRuleNamesIsRefusedAtItsFieldAndMeshYamlsAtItsKey() throws Exception {
    Path file = file(istio("{ tls: { mode: SIMPLE, caCertificates: /nonexistent/ca.pem } }", "{}", ""));
    assertThat(refusals(file)).containsExactly(file + ": DestinationRule default/reviews: "
        + "spec.trafficPolicy.tls.caCertificates: /nonexistent/ca.pem (expected: a readable PEM bundle of CA "
        + "certificates (no such file))");

    // the same file named by mesh.yaml, next to a rule that sets no TLS: mesh.yaml's problem, named by its key
    Path rule = file(istio("{ outlierDetection: { consecutive5xxErrors: 3 } }", "{}", ""));
    MeshConfig meshYaml = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews: { tls: { trust: /nonexistent/ca.pem } }
        """, name -> null);
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        ServiceInstance.builder("reviews", "127.0.0.1", 1).metadata(Map.of("version", "v1")).build()));
    assertThatThrownBy(() -> Mesh.builder().config(meshYaml).istioConfig(rule).discovery("memory", discovery).build())
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.tls.trust: /nonexistent/ca.pem (expected: a readable PEM bundle of CA "
                + "certificates (no such file))"));
  }

  /** A duration too long to count was called a bad spelling ("expected: a duration such as 10s"). */
  @Test
  void aDurationTooLongToCountIsRefusedForItsRangeNotItsSpelling() throws Exception {
    Path file = file(istio("{ outlierDetection: { baseEjectionTime: 9999999999999h } }", "{}", "timeout: 99999999999999h"));
    String where = file + ": ";
    assertThat(refusals(file)).containsExactlyInAnyOrder(
        where + "DestinationRule default/reviews: spec.trafficPolicy.outlierDetection.baseEjectionTime: "
            + "9999999999999h (expected: a duration from 1ms to 596h)",
        where + "VirtualService default/reviews: spec.http[0].timeout: 99999999999999h (expected: a duration from 0ms "
            + "to 596h)");
  }

  /** The mesh's validator refuses more attempts with nothing to retry on, and a retried 2xx. */
  @Test
  void aRetryOnNothingTheMeshRetriesIsNoRetryAndARetriedSuccessIsRefusedAtRetryOn() throws Exception {
    Path grpcOnly = file(istio("{}", "{}", "retries: { attempts: 2, retryOn: 'cancelled,retriable-status-codes' }"));
    try (Mesh mesh = mesh(grpcOnly, 1)) {
      assertThat(mesh.config().service("reviews").routes().get(0).retry().attempts()).isEqualTo(1);
    }
    Path success = file(istio("{}", "{}", "retries: { attempts: 2, retryOn: '503,200' }"));
    assertThat(refusals(success)).containsExactly(success + ": VirtualService default/reviews: "
        + "spec.http[0].retries.retryOn: 200 (expected: a failure status from 300 to 599: a 1xx response is never "
        + "final and a 2xx is a success, which a retry would send again and throw away)");
  }

  /** A regex the mesh cannot run was refused with its expectation written twice, one inside the other. */
  @Test
  void aRegexTheMeshCannotRunIsRefusedWithItsExpectationOnce() throws Exception {
    Path file = file(istio("{}", "{}", "match: [{ uri: { regex: \"/a(?=b)\" } }]"));
    assertThat(refusals(file)).containsExactly(file + ": VirtualService default/reviews: spec.http[0].match[0].uri.regex: "
        + "/a(?=b) (expected: an RE2 regular expression (linear time, matched against the whole value); lookaround "
        + "assertions ((?=) are not supported)");
  }

  /** A problem under a match was named {@code spec.http[0], read as mesh.services.reviews.routes[1].match.path}. */
  @Test
  void whatTheValidatorRefusesUnderAMatchIsNamedAtThatMatch() throws Exception {
    Path file = file(istio("{}", "{}", "match: [{ uri: { exact: /a } }, { uri: { prefix: no-slash }, "
        + "headers: { x-a: { exact: \"a\\r\\nb\" } } }]"));
    String where = file + ": VirtualService default/reviews: spec.http[0].match[1].";
    assertThat(refusals(file)).containsExactlyInAnyOrder(
        where + "uri.prefix: no-slash (expected: a path starting with '/': a request's path always does)",
        where + "headers.x-a.exact: a value with CR or LF (expected: no line breaks)");
  }

  /** Both weights refused, the route was also refused for "weights summing to 0", a follow-on of the two. */
  @Test
  void refusedWeightsAreReportedWithoutTheirSumOfZero() throws Exception {
    Path file = file(istio("{}", "{}", "").replace("route: [{ destination: { host: reviews, subset: v1 } }]",
        "route: [{ destination: { host: reviews, subset: v1 }, weight: -5 }, "
            + "{ destination: { host: reviews, subset: v1 }, weight: lots }]"));
    String where = file + ": VirtualService default/reviews: spec.http[0].route";
    assertThat(refusals(file)).containsExactly(
        where + "[0].weight: -5 (expected: an integer from 0 to 1000000)",
        where + "[1].weight: lots (expected: an integer from 0 to 1000000)");
    Path zero = file(istio("{}", "{}", "").replace("route: [{ destination: { host: reviews, subset: v1 } }]",
        "route: [{ destination: { host: reviews, subset: v1 }, weight: 0 }, "
            + "{ destination: { host: reviews, subset: v1 }, weight: 0 }]"));
    assertThat(refusals(zero)).containsExactly(zero + ": VirtualService default/reviews: spec.http[0].route: "
        + "weights summing to 0 (expected: weights summing to more than 0)");
  }

  /** A route name with a line break tags the route's metrics and spans: a scrape or log line would break on it. */
  @Test
  void aRouteNameWithALineBreakIsRefusedAtItsFieldAndOneWithASpaceServesCalls() throws Exception {
    Path file = file(istio("{}", "{}", "name: \"a\\r\\nINFO forged\""));
    assertThat(refusals(file)).containsExactly(file + ": VirtualService default/reviews: spec.http[0].name: "
        + "a\\r\\nINFO forged (expected: a name without control characters (CR, LF, tab...): a route's name tags "
        + "its metrics and spans)");
    LoopbackServer v1 = server("v1");
    try (Mesh mesh = mesh(file(istio("{}", "{}", "name: 'to v1'")), v1.port());
        Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("v1"); // Istio takes it, and it corrupts nothing
      assertThat(mesh.config().service("reviews").routes().get(0).name()).isEqualTo("to v1");
    }
  }

  /** istiod refuses both; no pod carries such a label, and the subset's name tags metrics. */
  @Test
  void aSubsetNameOrLabelKeyIstioRefusesIsRefused() throws Exception {
    Path file = file(istio("{}", "{}", "").replace("name: v1, labels: { version: v1 }",
        "name: 'V 1', labels: { 'bad label': v1, version: 'a b' }").replace("subset: v1", "subset: 'V 1'"));
    String where = file + ": DestinationRule default/reviews: spec.subsets[0].";
    assertThat(refusals(file)).containsExactly(
        where + "labels: bad label (expected: Kubernetes label keys, as Istio requires: a name of letters, digits, "
            + "'-', '_' and '.' (at most 63), after an optional DNS prefix and '/')",
        where + "labels.version: a b (expected: a Kubernetes label value, as Istio requires: letters, digits, '-', "
            + "'_' and '.', at most 63)",
        where + "name: V 1 (expected: a DNS-1123 label, as Istio requires of a subset name: lower-case letters, "
            + "digits and '-', at most 63, such as v1)");
  }

  @Test
  void theLargestValuesTheMeshTakesStillServeCalls() throws Exception {
    LoopbackServer v1 = server("v1");
    Path file = file(istio("{ outlierDetection: { consecutive5xxErrors: 1000000 } }",
        "{ outlierDetection: { consecutiveGatewayErrors: 1000000 } }", "retries: { attempts: 9 }"));
    try (Mesh mesh = mesh(file, v1.port());
        Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("v1");
    }
  }
}
