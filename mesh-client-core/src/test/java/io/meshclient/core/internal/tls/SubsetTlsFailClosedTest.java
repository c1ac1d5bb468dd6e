package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.SubsetPolicyConfig;
import io.meshclient.core.config.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subset's own TLS is never lost to a value left empty or to a DestinationRule that sets other fields of the
 * subset: either the subset's calls go over its TLS, or the mesh refuses the configuration.
 */
@Timeout(30)
class SubsetTlsFailClosedTest {
  private static final String HEAD = """
      mesh:
        services:
          reviews:
            outlier-detection: { enabled: false }
            subsets: { v2: { version: v2 } }
            routes: [ { to: v2 } ]
            subset-policies:
              v2:
      """;

  @TempDir
  static Path dir;
  static TestPki.Held ca;
  static TestPki.Held v2Identity;
  static Path caPem;
  static Path clientPem;
  static Path clientKey;

  @BeforeAll
  static void pki() throws Exception {
    ca = TestPki.ca("prod");
    TestPki.Held client = TestPki.leaf(ca, "productpage", new TestPki.Leaf());
    v2Identity = TestPki.leaf(ca, "reviews-v2", new TestPki.Leaf().dns("reviews"));
    caPem = ca.writeCertificate(dir, "ca.pem");
    clientPem = client.writeCertificate(dir, "client.pem");
    clientKey = client.writeKey(dir, "client-key.pem");
  }

  private static InMemoryDiscovery v2At(int port) {
    return new InMemoryDiscovery().set("reviews", List.of(ServiceInstance.builder("reviews", "127.0.0.1", port)
        .id("reviews-v2").metadata(Map.of("version", "v2")).build()));
  }

  @Test
  void anEmptyTrustUnderSubsetPoliciesIsRefusedRatherThanReadAsNoTls() throws Exception {
    Path yaml = Files.writeString(dir.resolve("empty-trust.yaml"), HEAD
        + "          tls: { trust: \"\" }\n");

    assertThatThrownBy(() -> MeshConfig.load(yaml)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.tls.trust: '' (expected: the location of a "
            + "PEM CA bundle, such as file:/etc/mesh/ca.pem)");
  }

  @Test
  void aSubsetTlsBuiltByHandWithAnEmptyTrustIsValidatedAsTlsNotTakenForTlsOff() {
    ServiceConfig reviews = ServiceConfig.builder("reviews").subset("v2", Map.of("version", "v2"))
        .subsetPolicy("v2", SubsetPolicyConfig.builder().tls(new TlsConfig("", null, null, null)).build()).build();

    assertThatThrownBy(() -> Mesh.builder().discovery("memory", v2At(1))
        .config(MeshConfig.builder().service(reviews).build()).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.subset-policies.v2.tls.trust: '' (expected: the location of a "
            + "PEM CA bundle, such as file:/etc/mesh/ca.pem)");
  }

  @Test
  void aDestinationRuleSettingOnlyASubsetsOutlierDetectionKeepsMeshYamlsTlsForThatSubset() throws Exception {
    try (CountingTlsServer v2 = new CountingTlsServer(v2Identity, ca, ca).requireClientCertificate()
        .answerWithClientSubject()) {
      MeshConfig meshYaml = MeshConfig.load(Files.writeString(dir.resolve("subset-tls.yaml"), HEAD
          + "          tls: { trust: %s, cert-chain: %s, private-key: %s }\n".formatted(caPem, clientPem, clientKey)));
      Path rule = Files.writeString(dir.resolve("outliers-only.yaml"), """
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: { name: reviews }
          spec:
            host: reviews
            subsets:
              - name: v2
                labels: { version: v2 }
                trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3 } }
          """);
      try (Mesh mesh = Mesh.builder().config(meshYaml).istioConfig(rule).discovery("memory", v2At(v2.port()))
          .build()) {
        SubsetPolicyConfig policy = mesh.config().service("reviews").subsetPolicies().get("v2");
        assertThat(policy.outlierDetection().consecutiveFailures()).as("the rule's field").isEqualTo(3);
        assertThat(policy.tls()).as("mesh.yaml's, which the rule does not set")
            .isEqualTo(meshYaml.service("reviews").subsetPolicies().get("v2").tls());

        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
          assertThat(r.code()).isEqualTo(200);
          assertThat(r.body().string()).isEqualTo("CN=productpage");
        }
      }
    }
  }
}
