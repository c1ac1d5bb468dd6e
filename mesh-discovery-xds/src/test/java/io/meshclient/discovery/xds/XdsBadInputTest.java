package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.internal.tls.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings and bootstrap files gRPC cannot open are refused when the settings are read, naming the key. */
class XdsBadInputTest {
  private static final String KEY = "mesh.discovery.xds";

  @TempDir
  Path dir;

  private static String problemOf(Map<String, Object> settings) {
    try {
      new XdsDiscoveryProvider().create(new DiscoveryContext(KEY, new LinkedHashMap<>(settings))).close();
    } catch (ConfigurationException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted " + settings);
  }

  private static Map<String, Object> serverUri(String target) {
    return Map.of("server-uri", target, "node-id", "n1", "initial-wait", "0s");
  }

  private static Set<String> grpcThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("grpc") || n.startsWith("mesh-xds")).collect(Collectors.toSet());
  }

  @Test
  void aServerUriGrpcCannotOpenIsRefusedNamingTheKeyAndWhatIsExpected() {
    String expected = "(expected: " + ServerTargets.EXPECTED + ")";
    assertThat(problemOf(serverUri(""))).isEqualTo(KEY + ".server-uri: '' " + expected);
    assertThat(problemOf(serverUri("istiod:99999"))).isEqualTo(KEY + ".server-uri: istiod:99999 " + expected);
    assertThat(problemOf(serverUri("::"))).isEqualTo(KEY + ".server-uri: :: " + expected);
    // host names as SettingValues.isHost reads them, the rule of every other address the mesh takes
    assertThat(problemOf(serverUri("istiod..svc:15010"))).isEqualTo(KEY + ".server-uri: istiod..svc:15010 " + expected);
    assertThat(problemOf(serverUri("-istiod:15010"))).isEqualTo(KEY + ".server-uri: -istiod:15010 " + expected);
    assertThat(problemOf(serverUri("[::1]:0"))).isEqualTo(KEY + ".server-uri: [::1]:0 " + expected);
    assertThat(problemOf(serverUri("http://istiod:15010"))).isEqualTo(KEY + ".server-uri: http://istiod:15010 "
        + "(expected: " + ServerTargets.EXPECTED + " (no name resolver for http:))");
  }

  @Test
  void aServerUriWithUserInfoOrAQueryIsRefusedWithoutShowingThem() {
    String withPassword = problemOf(serverUri("dns://admin:s3cr3t@istiod:15010"));
    String withToken = problemOf(serverUri("istiod:15010?token=s3cr3t"));
    String withBootstrapToo = problemOf(Map.of("server-uri", "istiod:15010?token=s3cr3t", "bootstrap", "/b.json"));

    assertThat(withPassword).isEqualTo(KEY + ".server-uri: <redacted> (expected: " + ServerTargets.EXPECTED + ")");
    assertThat(withToken).isEqualTo(KEY + ".server-uri: istiod:15010?<redacted> (expected: " + ServerTargets.EXPECTED
        + ")");
    assertThat(withBootstrapToo).doesNotContain("s3cr3t");
  }

  @Test
  void targetsGrpcOpensAreAccepted() {
    for (String target : new String[] {"istiod.istio-system.svc:15012", "127.0.0.1:15010", "[::1]:15010",
        "[fe80::1%eth0]:15010", "dns:///istiod:15010", "dns://8.8.8.8/istiod:15010", "unix:///etc/istio/proxy/XDS",
        "localhost"}) {
      assertThat(XdsSettings.read(KEY, Map.of("server-uri", target, "node-id", "n1"), name -> null).serverUri())
          .isEqualTo(target);
    }
  }

  @Test
  void aBootstrapServerUriWithAPasswordOrThatIsNotAStringIsRefusedNamingTheFileAndField() throws Exception {
    Path withPassword = Files.writeString(dir.resolve("b1.json"),
        "{\"xds_servers\": [{\"server_uri\": \"dns://admin:s3cr3t@istiod:15010\"}], \"node\": {\"id\": \"n1\"}}");
    Path number = Files.writeString(dir.resolve("b2.json"),
        "{\"xds_servers\": [{\"server_uri\": 15010}], \"node\": {\"id\": \"n1\"}}");

    assertThat(problemOf(Map.of("bootstrap", withPassword.toString()))).isEqualTo(KEY + ".bootstrap (" + withPassword
        + "): xds_servers[0].server_uri: <redacted> (expected: " + ServerTargets.EXPECTED + ")");
    assertThat(problemOf(Map.of("bootstrap", number.toString()))).isEqualTo(KEY + ".bootstrap (" + number
        + "): xds_servers[0].server_uri: NUMBER (expected: the xDS server's gRPC target, such as "
        + "istiod.istio-system.svc:15010)");
  }

  @Test
  void tlsChannelCredentialFilesThatAreMissingOrNotPemAreRefusedBeforeAnyThreadStarts() throws Exception {
    TestPki.Held ca = TestPki.ca("cluster.local");
    Path caFile = ca.writeCertificate(dir, "ca.pem");
    Path keyFile = ca.writeKey(dir, "key.pem");
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    Set<String> before = grpcThreads();
    String at = "xds_servers[0].channel_creds.tls.config.";

    assertThat(problemOf(Map.of("bootstrap", tlsBootstrap(dir.resolve("missing.pem"), null, null).toString())))
        .contains(at + "ca_certificate_file: " + dir.resolve("missing.pem")
            + " (expected: a readable PEM file of X.509 certificates (NoSuchFileException))");
    Path notPemCa = tlsBootstrap(notPem, null, null);
    assertThat(problemOf(Map.of("bootstrap", notPemCa.toString()))).isEqualTo(KEY + ".bootstrap (" + notPemCa + "): "
        + at + "ca_certificate_file: " + notPem + " (expected: a readable PEM file of X.509 certificates)");
    assertThat(problemOf(Map.of("bootstrap", tlsBootstrap(caFile, notPem, keyFile).toString())))
        .contains(at + "certificate_file: " + notPem + " (expected: a readable PEM file of X.509 certificates)");
    assertThat(problemOf(Map.of("bootstrap", tlsBootstrap(caFile, caFile, caFile).toString())))
        .contains(at + "private_key_file: " + caFile + " (expected: a readable PEM private key file)");
    Path endless = Path.of("/dev/zero"); // size 0 on paper: was read whole, into OutOfMemoryError
    assertThat(problemOf(Map.of("bootstrap", tlsBootstrap(caFile, caFile, endless).toString())))
        .contains(at + "private_key_file: " + endless + " (expected: a readable PEM private key file)");
    assertThat(problemOf(Map.of("bootstrap", tlsBootstrap(endless, null, null).toString())))
        .contains(at + "ca_certificate_file: " + endless + " (expected: a readable PEM file of X.509 certificates)");
    assertThat(grpcThreads()).isSubsetOf(before);
  }

  private Path tlsBootstrap(Path ca, Path cert, Path key) throws Exception {
    StringBuilder config = new StringBuilder("\"ca_certificate_file\": \"" + ca + "\"");
    if (cert != null) {
      config.append(", \"certificate_file\": \"").append(cert).append("\", \"private_key_file\": \"").append(key)
          .append('"');
    }
    return Files.writeString(Files.createTempFile(dir, "bootstrap", ".json"), """
        {"xds_servers": [{"server_uri": "127.0.0.1:15010", "channel_creds": [{"type": "tls", "config": {%s}}]}],
         "node": {"id": "n1"}}
        """.formatted(config));
  }
}
