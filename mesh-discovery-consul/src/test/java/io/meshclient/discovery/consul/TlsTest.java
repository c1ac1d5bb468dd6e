package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.discovery.consul.ConsulDiscoverySettings.Tls;
import io.meshclient.discovery.consul.ConsulWatchListener.Failure;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An https agent: trusted through a PEM CA file or a trust store, with a client certificate if asked. */
class TlsTest {
  private static final String PASSWORD = "changeit";
  private static final HeldCertificate CA =
      new HeldCertificate.Builder().certificateAuthority(0).commonName("Consul Agent CA").build();
  private static final HeldCertificate SERVER = new HeldCertificate.Builder().commonName("server.dc1.consul")
      .addSubjectAlternativeName("127.0.0.1").addSubjectAlternativeName("localhost").signedBy(CA).build();
  private static final HeldCertificate CLIENT =
      new HeldCertificate.Builder().commonName("mesh-client").signedBy(CA).build();

  // Started once: an HTTPS server takes seconds to start on a loaded machine.
  @TempDir
  static Path dir;
  private static ConsulEmulator httpsConsul;
  private static ConsulEmulator mutualTlsConsul;
  private ConsulEmulator consul;
  private ServiceDiscovery discovery;

  @BeforeAll
  static void startHttpsAgents() throws Exception {
    httpsConsul = httpsConsul(false);
    mutualTlsConsul = httpsConsul(true);
  }

  @AfterAll
  static void stopHttpsAgents() {
    httpsConsul.close();
    mutualTlsConsul.close();
  }

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close();
    }
  }

  private static ConsulEmulator httpsConsul(boolean clientAuth) throws Exception {
    HandshakeCertificates agent = new HandshakeCertificates.Builder().heldCertificate(SERVER, CA.certificate())
        .addTrustedCertificate(CA.certificate()).build();
    ConsulEmulator emulator = new ConsulEmulator(agent.sslContext(), clientAuth);
    emulator.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    return emulator;
  }

  private void useAgent(ConsulEmulator agent) {
    consul = agent;
  }

  private RecordingListener watch(Tls tls, RecordingEvents events) {
    ConsulDiscoverySettings settings = Fixtures.fastSettings(consul.url()).tls(tls).build();
    discovery = new ConsulDiscoveryProvider(events).create(settings);
    RecordingListener listener = new RecordingListener();
    discovery.watch("reviews", listener);
    return listener;
  }

  @Test
  void httpsAgentIsTrustedThroughAPemCaFile() throws Exception {
    useAgent(httpsConsul);
    Path caFile = Files.writeString(dir.resolve("consul-agent-ca.pem"), CA.certificatePem());

    RecordingListener listener = watch(new Tls(caFile, null, null, null, null), new RecordingEvents());

    assertThat(listener.awaitIds(1)).containsExactly("r1");
    assertThat(consul.url()).startsWith("https://");
  }

  @Test
  void httpsAgentIsTrustedThroughATrustStore() throws Exception {
    useAgent(httpsConsul);

    RecordingListener listener =
        watch(new Tls(null, trustStore("trust.p12"), PASSWORD, null, null), new RecordingEvents());

    assertThat(listener.awaitIds(1)).containsExactly("r1");
  }

  @Test
  void clientCertificateFromTheKeyStoreIsPresented() throws Exception {
    useAgent(mutualTlsConsul);
    Path caFile = Files.writeString(dir.resolve("ca.pem"), CA.certificatePem());

    RecordingListener listener =
        watch(new Tls(caFile, null, null, keyStore("client.p12", CLIENT), PASSWORD), new RecordingEvents());

    assertThat(listener.awaitIds(1)).containsExactly("r1");
  }

  @Test
  void agentThatRequiresAClientCertificateFailsAWatchWithoutOne() throws Exception {
    useAgent(mutualTlsConsul);
    Path caFile = Files.writeString(dir.resolve("ca.pem"), CA.certificatePem());
    RecordingEvents events = new RecordingEvents();

    RecordingListener listener = watch(new Tls(caFile, null, null, null, null), events);

    RecordingListener.await(() -> events.failures().size() >= 2, Duration.ofSeconds(5), "two failures");
    assertThat(listener.snapshots()).isEmpty();
  }

  @Test
  void agentWithAnUntrustedCertificateIsAnOutageNotACrash() throws Exception {
    useAgent(httpsConsul);
    HeldCertificate otherCa = new HeldCertificate.Builder().certificateAuthority(0).build();
    Path caFile = Files.writeString(dir.resolve("other-ca.pem"), otherCa.certificatePem());
    RecordingEvents events = new RecordingEvents();

    RecordingListener listener = watch(new Tls(caFile, null, null, null, null), events);

    RecordingListener.await(() -> events.failures().size() >= 2, Duration.ofSeconds(5), "two failures");
    assertThat(events.failures()).allSatisfy(e -> assertThat(e.failure()).isEqualTo(Failure.IO));
    assertThat(listener.snapshots()).isEmpty();
  }

  @Test
  void trustStoreWithTheWrongPasswordIsRefusedNamingItsKey() throws Exception {
    Path trustStore = trustStore("trust.p12");
    ConsulDiscoverySettings settings = ConsulDiscoverySettings.builder().url(URI.create("https://127.0.0.1:8501"))
        .tls(new Tls(null, trustStore, "wrong-password", null, null)).build();

    assertThatThrownBy(() -> new ConsulDiscoveryProvider().create(settings))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.discovery.consul.tls.trust-store: " + trustStore
            + " (expected: a PKCS12 or JKS file that opens with trust-store-password)")
        .hasMessageNotContaining("wrong-password")
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void fileThatIsNoPemIsRefusedNamingItsKey() throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    ConsulDiscoverySettings settings = ConsulDiscoverySettings.builder().url(URI.create("https://127.0.0.1:8501"))
        .tls(new Tls(notPem, null, null, null, null)).build();

    assertThatThrownBy(() -> new ConsulDiscoveryProvider().create(settings))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.discovery.consul.tls.ca-file: " + notPem + " (expected: a PEM file of CA certificates)");
  }

  private static Path keyStore(String name, HeldCertificate held) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("key", held.keyPair().getPrivate(), PASSWORD.toCharArray(),
        new Certificate[] {held.certificate(), CA.certificate()});
    return save(store, name);
  }

  private static Path trustStore(String name) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", CA.certificate());
    return save(store, name);
  }

  private static Path save(KeyStore store, String name) throws IOException, GeneralSecurityException {
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, PASSWORD.toCharArray());
    }
    return file;
  }
}
