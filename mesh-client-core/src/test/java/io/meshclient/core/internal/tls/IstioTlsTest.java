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
}
