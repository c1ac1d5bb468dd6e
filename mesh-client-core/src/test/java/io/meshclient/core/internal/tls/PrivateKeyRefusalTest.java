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
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private key files that cannot serve as the client identity are refused when the mesh builds, with the key
 * and file named and the reason given (never a byte of the key), and a rotation to such a key keeps the
 * identity in use: a key that is not the certificate's, on a curve the JDK cannot sign with, encrypted, or not
 * base64; and a location that is no path.
 */
@Timeout(30)
class PrivateKeyRefusalTest {
  private static final String EXPECTED = " (expected: a readable PEM PKCS#8 private key matching the certificate (";

  @TempDir
  static Path dir;
  static TestPki.Held ca;
  static TestPki.Held client;
  static Path caPem;
  static Path clientPem;

  @BeforeAll
  static void pki() throws Exception {
    ca = TestPki.ca("prod");
    client = TestPki.leaf(ca, "productpage", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/productpage"));
    caPem = ca.writeCertificate(dir, "ca.pem");
    clientPem = client.writeCertificate(dir, "client.pem");
  }

  private static Mesh mesh(Path key, int port) {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews",
        List.of(ServiceInstance.of("reviews", "127.0.0.1", port)));
    ServiceConfig reviews = ServiceConfig.builder("reviews").outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF)
        .tls(new TlsConfig("file:" + caPem, "file:" + clientPem, "file:" + key, null)).build();
    return Mesh.builder().discovery("memory", discovery).config(MeshConfig.builder().service(reviews).build()).build();
  }

  private static Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void aPrivateKeyThatIsNotTheCertificatesIsRefusedWhenTheMeshBuilds() throws Exception {
    Path other = TestPki.leaf(ca, "someone-else", new TestPki.Leaf()).writeKey(dir, "other-key.pem");

    assertThatThrownBy(() -> mesh(other, 1)).isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.tls.private-key: file:" + other + EXPECTED
            + "the private key (EC) is not the key of the certificate CN=productpage (EC)))");
  }

  @Test
  void checkingATlsConfigLoadsItsFilesAndNamesTheFailingOneByTheCallersKey() throws Exception {
    Path other = TestPki.leaf(ca, "someone-else", new TestPki.Leaf()).writeKey(dir, "other-of-check.pem");
    TlsConfig.Keys keys = new TlsConfig.Keys("source: trust", "source: chain", "source: key", "source: san");

    new TlsConfig("file:" + caPem, "file:" + clientPem, "file:" + client.writeKey(dir, "client-key.pem"), null)
        .check(keys, getClass().getClassLoader());
    assertThatThrownBy(() -> new TlsConfig("file:" + caPem, "file:" + clientPem, "file:" + other, null)
        .check(keys, getClass().getClassLoader())).isInstanceOf(ConfigurationException.class)
        .hasMessage("source: key: file:" + other + EXPECTED
            + "the private key (EC) is not the key of the certificate CN=productpage (EC)))");
    assertThatThrownBy(() -> new TlsConfig("file:" + dir.resolve("absent.pem"), null, null, null)
        .check(keys, getClass().getClassLoader())).isInstanceOf(ConfigurationException.class)
        .hasMessage("source: trust: file:" + dir.resolve("absent.pem") + " (expected: a readable PEM bundle of CA "
            + "certificates (no such file))");
  }

  @Test
  void anRsaKeyNextToAnEcCertificateIsRefusedNamingBothAlgorithms() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    Path key = write("rsa-key.pem", TestPki.pem("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded()));

    assertThatThrownBy(() -> mesh(key, 1)).isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.tls.private-key: file:" + key + EXPECTED
            + "the private key (RSA) is not the key of the certificate CN=productpage (EC)))");
  }

  @Test
  void anEcKeyOnACurveTheJdkCannotSignWithIsRefusedNamingTheCurve() throws Exception {
    byte[] secp256k1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, BigInteger.valueOf(123_456_789), null,
        new ASN1ObjectIdentifier("1.3.132.0.10")).getEncoded();
    Path key = write("k1-key.pem", TestPki.pem("EC PRIVATE KEY", secp256k1));

    assertThatThrownBy(() -> mesh(key, 1)).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("mesh.services.reviews.tls.private-key: file:" + key + EXPECTED
            + "the EC private key cannot sign here (")
        .hasMessageContaining("secp256k1");
  }

  @Test
  void anEncryptedPrivateKeyIsRefusedSayingItIsEncrypted() throws Exception {
    Path pkcs8 = write("encrypted-key.pem",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0BBQwwDgQI\n"
            + "-----END ENCRYPTED PRIVATE KEY-----\n");
    Path legacy = write("legacy-encrypted-key.pem", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        + "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
        + "-----END RSA PRIVATE KEY-----\n");
    String why = "an encrypted private key (ENCRYPTED PRIVATE KEY, or Proc-Type: 4,ENCRYPTED), which the mesh "
        + "cannot decrypt: write the key unencrypted, such as with openssl pkcs8 -topk8 -nocrypt))";

    assertThatThrownBy(() -> mesh(pkcs8, 1)).isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.tls.private-key: file:" + pkcs8 + EXPECTED + why);
    assertThatThrownBy(() -> mesh(legacy, 1)).isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.tls.private-key: file:" + legacy + EXPECTED + why);
  }

  @Test
  void aPrivateKeyWhoseBodyIsNotBase64IsAConfigurationErrorThatQuotesNoneOfIt() throws Exception {
    Path key = write("cut-key.pem", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgE=GCCqGSM49\n"
        + "-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> mesh(key, 1)).isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.tls.private-key: file:" + key + EXPECTED
            + "the private key's PEM body is not valid base64 (truncated?)))")
        .satisfies(e -> assertThat(e.getCause()).as("the decoder's message, which quotes a byte, is dropped")
            .hasNoCause());
  }

  @Test
  void aLocationThatIsNoPathIsAConfigurationErrorNamingTheKey() {
    ServiceConfig reviews = ServiceConfig.builder("reviews")
        .tls(new TlsConfig("file:/etc/mesh/\u0000ca.pem", null, null, null)).build();

    assertThatThrownBy(() -> Mesh.builder().discovery("memory", new InMemoryDiscovery())
        .config(MeshConfig.builder().service(reviews).build()).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.tls.trust: file:/etc/mesh/\\u0000ca.pem (expected: a readable PEM bundle "
            + "of CA certificates (not a file path: Nul character not allowed))");
  }

  @Test
  void aRotationToAKeyThatIsNotTheNewCertificatesKeepsThePreviousIdentity() throws Exception {
    Path certFile = client.writeCertificate(dir, "rotating.pem");
    Path keyFile = client.writeKey(dir, "rotating-key.pem");
    TestPki.Held server = TestPki.leaf(ca, "reviews", new TestPki.Leaf().dns("reviews"));
    try (CountingTlsServer backend = new CountingTlsServer(server, ca, ca).requireClientCertificate().closeEvery(1)
        .answerWithClientSubject()) {
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews",
          List.of(ServiceInstance.of("reviews", "127.0.0.1", backend.port())));
      ServiceConfig reviews = ServiceConfig.builder("reviews").outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF)
          .tls(new TlsConfig("file:" + caPem, "file:" + certFile, "file:" + keyFile, null)).build();
      try (Mesh mesh = Mesh.builder().discovery("memory", discovery)
          .config(MeshConfig.builder().service(reviews).build()).build()) {
        assertThat(call(mesh)).isEqualTo("CN=productpage");

        Thread.sleep(1_100); // the files are looked at once a second at most
        TestPki.Held rotated = TestPki.leaf(ca, "productpage-rotated", new TestPki.Leaf());
        TestPki.leaf(ca, "half-written", new TestPki.Leaf()).writeKey(dir, "rotating-key.pem");
        rotated.writeCertificate(dir, "rotating.pem");
        Files.setLastModifiedTime(keyFile, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));

        assertThat(call(mesh)).as("the previous identity, not a pair the server would refuse")
            .isEqualTo("CN=productpage");
      }
    }
  }

  private static String call(Mesh mesh) throws Exception {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.body().string();
    }
  }
}
