package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code url: ${CONSUL_HTTP_ADDR}} with the address as Consul's own tools take it, {@code 127.0.0.1:8500}:
 * http, or https when {@code CONSUL_HTTP_SSL} is true, as Consul's API client reads it.
 */
class SchemelessAgentAddressTest {
  private static final String KEY = "mesh.discovery.consul";

  @TempDir
  Path dir;
  private ConsulEmulator consul;
  private ServiceDiscovery discovery;

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close();
    }
    if (consul != null) {
      consul.close();
    }
  }

  private static Map<String, Object> fast(String url) {
    return Map.of("url", url, "wait", "1s", "min-interval", "10ms", "backoff", Map.of("initial", "50ms", "max", "200ms"));
  }

  private RecordingListener watch(ConsulDiscoverySettings settings) {
    discovery = new ConsulDiscoveryProvider().create(settings);
    RecordingListener listener = new RecordingListener();
    discovery.watch("reviews", listener);
    return listener;
  }

  @Test
  void aHostAndPortWithoutSchemeIsAnHttpAgent() {
    consul = new ConsulEmulator();
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));

    ConsulDiscoverySettings settings = ConsulSettingsReader.read(KEY, fast("127.0.0.1:" + consul.port()), name -> null);

    assertThat(settings.url()).isEqualTo(URI.create("http://127.0.0.1:" + consul.port()));
    assertThat(watch(settings).awaitIds(1)).containsExactly("r1");
  }

  /** Starts an agent over TLS listing reviews r1; its settings: {@code address} + its port, trusting its CA. */
  private Map<String, Object> tlsAgent(String address) throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("Consul Agent CA").build();
    HeldCertificate server = new HeldCertificate.Builder().commonName("server.dc1.consul")
        .addSubjectAlternativeName("127.0.0.1").signedBy(ca).build();
    consul = new ConsulEmulator(new HandshakeCertificates.Builder().heldCertificate(server, ca.certificate())
        .build().sslContext(), false);
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    Path caFile = Files.writeString(dir.resolve("consul-agent-ca.pem"), ca.certificatePem());
    Map<String, Object> tree = new java.util.HashMap<>(fast(address + consul.port()));
    tree.put("tls", Map.of("ca-file", caFile.toString()));
    return tree;
  }

  @Test
  void withConsulHttpSslTrueAHostAndPortWithoutSchemeIsAnHttpsAgent() throws Exception {
    Map<String, Object> tree = tlsAgent("127.0.0.1:");

    ConsulDiscoverySettings settings = ConsulSettingsReader.read(KEY, tree,
        name -> name.equals("CONSUL_HTTP_SSL") ? "true" : null);

    assertThat(settings.url()).isEqualTo(URI.create("https://127.0.0.1:" + consul.port()));
    assertThat(watch(settings).awaitIds(1)).containsExactly("r1");
    assertThat(ConsulSettingsReader.read(KEY, Map.of("url", "127.0.0.1:8500"),
        name -> name.equals("CONSUL_HTTP_SSL") ? "0" : null).url()).isEqualTo(URI.create("http://127.0.0.1:8500"));
  }

  /**
   * Consul's clients never revert to http once CONSUL_HTTP_SSL asks for TLS, an http:// address included; the
   * mesh sent the ACL token in clear to such an address.
   */
  @Test
  void withConsulHttpSslTrueAnHttpAddressIsAnHttpsAgentAsConsulsClientsReadIt() throws Exception {
    Map<String, Object> tree = tlsAgent("HTTP://127.0.0.1:");

    ConsulDiscoverySettings settings = ConsulSettingsReader.read(KEY, tree,
        name -> name.equals("CONSUL_HTTP_SSL") ? "T" : null);

    assertThat(settings.url()).isEqualTo(URI.create("https://127.0.0.1:" + consul.port()));
    assertThat(watch(settings).awaitIds(1)).containsExactly("r1");
    assertThat(ConsulSettingsReader.read(KEY, Map.of("url", "http://127.0.0.1:8500"), name -> null).url())
        .as("without CONSUL_HTTP_SSL").isEqualTo(URI.create("http://127.0.0.1:8500"));
    assertThatThrownBy(() -> ConsulSettingsReader.read(KEY, Map.of("url", "http://127.0.0.1:8500"),
        name -> name.equals("CONSUL_HTTP_SSL") ? "yes" : null))
        .hasMessage("CONSUL_HTTP_SSL: yes (expected: true or false, as Consul reads it, for the http:// "
            + "mesh.discovery.consul.url)");
  }

  @Test
  void aConsulHttpSslThatIsNoBooleanIsRefusedForASchemelessUrlNamingTheVariable() {
    assertThatThrownBy(() -> ConsulSettingsReader.read(KEY, Map.of("url", "127.0.0.1:8500"),
        name -> name.equals("CONSUL_HTTP_SSL") ? "yes" : null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("CONSUL_HTTP_SSL: yes (expected: true or false, as Consul reads it, for the schemeless "
            + "mesh.discovery.consul.url)");
  }

  @Test
  void aSchemelessAddressWithUserInfoIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> ConsulSettingsReader.read(KEY, Map.of("url", "admin:hunter2@127.0.0.1:8500"), name -> null))
        .hasMessage("mesh.discovery.consul.url: <redacted> (expected: a URL without user info; put the token in "
            + "acl-token)");
  }

  @Test
  void aMistypedSchemeIsRefusedAsWrittenNotReadAsAnAgentNamedHttp() {
    String expected = " (expected: a host and port such as 127.0.0.1:8500 (as CONSUL_HTTP_ADDR), or an http or https "
        + "URL with a host, a port from 1 to 65535 if any, and no query or fragment, such as http://127.0.0.1:8500)";
    assertThatThrownBy(() -> ConsulSettingsReader.read(KEY, Map.of("url", "http:/127.0.0.1:8500"), name -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.discovery.consul.url: http:/127.0.0.1:8500" + expected);
    assertThatThrownBy(() -> ConsulSettingsReader.read(KEY, Map.of("url", "https//consul.internal:8501"), name -> null))
        .hasMessage("mesh.discovery.consul.url: https//consul.internal:8501" + expected);
    assertThatThrownBy(() -> ConsulSettingsReader.read(KEY, Map.of("url", "http:"), name -> null))
        .hasMessage("mesh.discovery.consul.url: http:" + expected);
    assertThatThrownBy(() -> ConsulSettingsReader.read(KEY, Map.of("url", "consul:8500/?token=s3cr3t"), name -> null))
        .hasMessage("mesh.discovery.consul.url: consul:8500/?<redacted>" + expected);
  }

  @Test
  void aSchemelessAddressWithAPortOutOfRangeOrAnUnbracketedIpv6AddressIsRefusedAsWritten() {
    String expected = " (expected: " + ConsulSettingsReader.SCHEMELESS_EXPECTED + ")";
    for (String url : new String[] {"127.0.0.1:99999", "127.0.0.1:0", "::1", "fe80::1:8500", "consul:",
        "[::1]8500"}) {
      assertThatThrownBy(() -> ConsulSettingsReader.read(KEY, Map.of("url", url), name -> null)).as(url)
          .isInstanceOf(ConfigurationException.class).hasMessage("mesh.discovery.consul.url: " + url + expected);
    }
  }

  @Test
  void aBracketedIpv6AddressWithoutSchemeIsAnHttpAgent() {
    assertThat(ConsulSettingsReader.read(KEY, Map.of("url", "[::1]:8500"), name -> null).url())
        .isEqualTo(URI.create("http://[::1]:8500"));
    assertThat(ConsulSettingsReader.read(KEY, Map.of("url", "consul.service.consul"), name -> null).url())
        .isEqualTo(URI.create("http://consul.service.consul"));
  }
}
