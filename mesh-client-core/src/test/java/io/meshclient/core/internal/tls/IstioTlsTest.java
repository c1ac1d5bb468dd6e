package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A DestinationRule's {@code tls} maps onto the mesh's TLS; ISTIO_MUTUAL needs certificate files. */
@Timeout(60)
class IstioTlsTest {
  @TempDir
  Path dir;

  private final InMemoryDiscovery discovery = new InMemoryDiscovery()
      .set("ratings", List.of(ServiceInstance.of("ratings", "127.0.0.1", 1)));

  @Test
  void mutualTlsMapsOntoTheMeshsTlsWithTheFirstSubjectAltNamePinned() throws Exception {
    TestPki.Held ca = TestPki.ca("cluster.local");
    TestPki.Held client = TestPki.leaf(ca, "productpage",
        new TestPki.Leaf().uri("spiffe://cluster.local/ns/default/sa/productpage"));
    Path caPem = ca.writeCertificate(dir, "root.pem");
    Path cert = client.writeCertificate(dir, "cert.pem");
    Path key = client.writeKey(dir, "key.pem");
    Path file = Files.writeString(dir.resolve("tls.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: ratings }
        spec:
          host: ratings
          trafficPolicy:
            tls:
              mode: MUTUAL
              caCertificates: %s
              clientCertificate: %s
              privateKey: %s
              subjectAltNames: [spiffe://cluster.local/ns/default/sa/ratings]
        """.formatted(caPem, cert, key));
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery).build()) {
      assertThat(mesh.config().service("ratings").tls()).isEqualTo(new TlsConfig(caPem.toString(), cert.toString(),
          key.toString(), "spiffe://cluster.local/ns/default/sa/ratings"));
    }
    Path disable = Files.writeString(dir.resolve("disable.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: ratings }
        spec:
          host: ratings
          trafficPolicy: { tls: { mode: DISABLE } }
        """);
    MeshConfig withTls = MeshConfig.builder().service(ServiceConfig.builder("ratings")
        .tls(new TlsConfig(caPem.toString(), cert.toString(), key.toString(), null)).build()).build();
    try (Mesh mesh = Mesh.builder().config(withTls).istioConfig(disable).discovery("memory", discovery).build()) {
      assertThat(mesh.config().service("ratings").tls()).as("DISABLE overrides mesh.yaml's tls").isNull();
    }
  }

  /**
   * Istio's TLS origination for an external host (its egress task): the application calls http://, the rule says
   * SIMPLE with neither caCertificates nor subjectAltNames, and Istio checks the certificate against the system's
   * CAs and the host's name. The mesh did not load such a file ('caCertificates: missing'); now it trusts the JVM's
   * trust store (a test CA here) and pins the host's name, so a certificate for another name is refused.
   */
  @Test
  void simpleWithoutCaCertificatesTrustsTheJvmsCasAndPinsAnExternalHostsName() throws Exception {
    TestPki.Held platformCa = TestPki.ca("platform");
    TestPki.Held right = TestPki.leaf(platformCa, "api", new TestPki.Leaf().dns("api.example.com"));
    TestPki.Held wrong = TestPki.leaf(platformCa, "other", new TestPki.Leaf().dns("other.example.com"));
    try (PlatformTrustStore trust = new PlatformTrustStore(platformCa, dir);
        CountingTlsServer good = new CountingTlsServer(right, platformCa, platformCa);
        CountingTlsServer bad = new CountingTlsServer(wrong, platformCa, platformCa)) {
      for (CountingTlsServer server : List.of(good, bad)) {
        Path file = Files.writeString(dir.resolve("egress.yaml"), """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: { name: api }
            spec:
              hosts: [api.example.com]
              resolution: STATIC
              ports: [{ number: %d, name: http, protocol: HTTP }]
              endpoints: [{ address: 127.0.0.1 }]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: { name: api }
            spec:
              host: api.example.com
              trafficPolicy: { tls: { mode: SIMPLE } }
            """.formatted(server.port()));
        try (Mesh mesh = Mesh.builder().istioConfig(file).build()) {
          assertThat(mesh.config().service("api.example.com").tls())
              .isEqualTo(new TlsConfig(TlsConfig.SYSTEM_TRUST, null, null, "dns:api.example.com"));
          okhttp3.Request call = new okhttp3.Request.Builder().url("http://api.example.com/v1").build();
          if (server == good) {
            try (okhttp3.Response response = mesh.httpClient().newCall(call).execute()) {
              assertThat(response.code()).isEqualTo(200);
            }
          } else {
            assertThatThrownBy(() -> mesh.httpClient().newCall(call).execute())
                .isInstanceOf(io.meshclient.api.PeerIdentityMismatchException.class);
          }
        }
      }
      assertThat(good.requests()).isEqualTo(1);
      assertThat(bad.bytesReceived()).isZero();
    }
  }

  /** A Kubernetes service's rule has no external name to pin: without caCertificates or subjectAltNames, refused. */
  @Test
  void simpleWithoutCaCertificatesForAKubernetesServiceIsRefused() throws Exception {
    assertRefused(ratingsRule("{ mode: SIMPLE }"), discovery)
        .hasMessageContaining("spec.trafficPolicy.tls.caCertificates: missing (expected: the CA certificates (a PEM "
            + "file) the instances' certificates must chain to, or subjectAltNames, with mode SIMPLE");
  }

  /**
   * ratings.prod, written by a rule in namespace prod, is the Kubernetes service ratings of that namespace, as the
   * mesh routes it: it is no external name to pin, and the system's CAs vouch for any name. Refused as ratings is.
   */
  @Test
  void simpleWithoutCaCertificatesForAKubernetesServiceOfTheRulesOwnNamespaceIsRefused() throws Exception {
    String rule = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: ratings, namespace: prod }
        spec:
          host: ratings.prod
          subsets:
          - name: v1
            labels: { version: v1 }
            trafficPolicy: { tls: { mode: SIMPLE } }
        """;
    InMemoryDiscovery prod = new InMemoryDiscovery()
        .set("ratings.prod", List.of(ServiceInstance.of("ratings.prod", "127.0.0.1", 1)));
    assertRefused(rule, prod)
        .hasMessageContaining("DestinationRule prod/ratings: spec.subsets[0].trafficPolicy.tls.caCertificates: "
            + "missing (expected: the CA certificates (a PEM file) the instances' certificates must chain to, or "
            + "subjectAltNames, with mode SIMPLE");
  }

  /**
   * caCertificates is a file in Istio, whatever its name: one called system is that file, not the JVM's trust store
   * that mesh.yaml's trust: system means. Read as the trust store, a rule naming a private CA bundle by that
   * relative path trusted every public CA the JVM does; here the file does not exist, and the rule is refused.
   */
  @Test
  void caCertificatesNamedSystemIsAFileNotTheJvmsTrustStore() throws Exception {
    assertRefused(ratingsRule("{ mode: SIMPLE, caCertificates: system, subjectAltNames: [ratings.example.com] }"),
        discovery)
        .hasMessageContaining("DestinationRule default/ratings: spec.trafficPolicy.tls.caCertificates: file:system "
            + "(expected: a readable PEM bundle of CA certificates (no such file))");
  }

  @Test
  void istioMutualIsRefusedWithoutCertificateFilesAndKeepsMeshYamlsWithThem() throws Exception {
    Path file = Files.writeString(dir.resolve("istio-mutual.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: ratings }
        spec:
          host: ratings
          trafficPolicy: { tls: { mode: ISTIO_MUTUAL } }
        """);
    assertThatThrownBy(() -> Mesh.builder().istioConfig(file).discovery("memory", discovery).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + ": DestinationRule default/ratings: spec.trafficPolicy.tls.mode: ISTIO_MUTUAL (expected: "
            + "DISABLE, SIMPLE or MUTUAL with caCertificates, clientCertificate and privateKey files: ISTIO_MUTUAL "
            + "needs istiod's certificates, which this mesh has only when mesh.services.ratings.tls names "
            + "certificate files)");
    TestPki.Held ca = TestPki.ca("cluster.local");
    Path caPem = ca.writeCertificate(dir, "root.pem");
    MeshConfig withTls = MeshConfig.builder().service(ServiceConfig.builder("ratings")
        .tls(new TlsConfig(caPem.toString(), null, null, null)).build()).build();
    try (Mesh mesh = Mesh.builder().config(withTls).istioConfig(file).discovery("memory", discovery).build()) {
      assertThat(mesh.config().service("ratings").tls().trust()).isEqualTo(caPem.toString());
    }
  }

  /** A DestinationRule for ratings, in the default namespace, whose trafficPolicy's tls is {@code tls}. */
  private static String ratingsRule(String tls) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: ratings }
        spec:
          host: ratings
          trafficPolicy: { tls: %s }
        """.formatted(tls);
  }

  /** Asserts that a mesh reading {@code yaml}, over {@code instances}, is refused; for its message. */
  private org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String yaml,
      InMemoryDiscovery instances) throws java.io.IOException {
    Path file = Files.writeString(dir.resolve("rule.yaml"), yaml);
    return assertThatThrownBy(() -> Mesh.builder().istioConfig(file).discovery("memory", instances).build())
        .isInstanceOf(ConfigurationException.class);
  }
}
