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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls.trust: system}: the instances' certificates chain to a CA of the JVM's default trust store (as
 * Istio's {@code tls: SIMPLE} without {@code caCertificates} checks them against the system's), and must carry
 * the peer identity, which is required: the public CAs of that store vouch for any name, and instances are
 * addressed by IP. The store is pointed at a test CA through the standard {@code javax.net.ssl.trustStore}
 * properties, restored afterwards.
 */
@Timeout(30)
class SystemTrustTest {
  private TestPki.Held platformCa;
  private PlatformTrustStore platformTrust;

  @BeforeEach
  void platformTrustsATestCa(@TempDir Path dir) throws Exception {
    platformCa = TestPki.ca("platform");
    platformTrust = new PlatformTrustStore(platformCa, dir);
  }

  @AfterEach
  void restoreProperties() {
    platformTrust.close();
  }

  private static Mesh mesh(TlsConfig tls, int... ports) {
    List<ServiceInstance> instances = new java.util.ArrayList<>();
    for (int port : ports) {
      instances.add(ServiceInstance.of("api", "127.0.0.1", port));
    }
    return Mesh.builder().discovery("memory", new InMemoryDiscovery().set("api", instances))
        .config(MeshConfig.builder().service(ServiceConfig.builder("api").tls(tls).build()).build()).build();
  }

  private static int get(Mesh mesh) throws Exception {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api/v1").build()).execute()) {
      return r.code();
    }
  }

  @Test
  void anInstanceWithACertificateOfTheJvmsTrustStoreAndTheNameIsCalledOverTls() throws Exception {
    TestPki.Held leaf = TestPki.leaf(platformCa, "api", new TestPki.Leaf().dns("api.example.com"));
    try (CountingTlsServer server = new CountingTlsServer(leaf, platformCa, platformCa);
        Mesh mesh = mesh(new TlsConfig(TlsConfig.SYSTEM_TRUST, null, null, "dns:api.example.com"), server.port())) {
      assertThat(get(mesh)).isEqualTo(200);
      assertThat(server.requests()).isEqualTo(1);
    }
  }

  @Test
  void aCertificateTheJvmTrustsForAnotherNameIsRefusedBeforeAnyRequestByte() throws Exception {
    TestPki.Held other = TestPki.leaf(platformCa, "evil", new TestPki.Leaf().dns("evil.example.org"));
    try (CountingTlsServer server = new CountingTlsServer(other, platformCa, platformCa);
        Mesh mesh = mesh(new TlsConfig(TlsConfig.SYSTEM_TRUST, null, null, "dns:api.example.com"), server.port())) {
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(io.meshclient.api.PeerIdentityMismatchException.class)
          .hasMessageContaining("dns:api.example.com");
      assertThat(server.bytesReceived()).isZero();
    }
  }

  @Test
  void aCertificateOfACaTheJvmDoesNotTrustIsRefused() throws Exception {
    TestPki.Held otherCa = TestPki.ca("elsewhere");
    TestPki.Held leaf = TestPki.leaf(otherCa, "api", new TestPki.Leaf().dns("api.example.com"));
    try (CountingTlsServer server = new CountingTlsServer(leaf, otherCa, otherCa);
        Mesh mesh = mesh(new TlsConfig(TlsConfig.SYSTEM_TRUST, null, null, "dns:api.example.com"), server.port())) {
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(SSLHandshakeException.class)
          .hasMessageContaining("trusted by the JVM's default trust store, proving dns:api.example.com");
      assertThat(server.bytesReceived()).isZero();
    }
  }

  @Test
  void systemTrustWithoutAPeerIdentityIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> MeshConfig.fromMap(Map.of("mesh", Map.of("services", Map.of("api", Map.of(
        "tls", Map.of("trust", "system")))))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.api.tls.peer-identity: missing (expected: the DNS name the instances' "
            + "certificates must carry (dns:api.example.com) with trust: system: the public CAs of the JVM's trust "
            + "store vouch for any name)");
    assertThatThrownBy(() -> mesh(new TlsConfig(TlsConfig.SYSTEM_TRUST, null, null, null), 9))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("peer-identity: missing");
  }
}
