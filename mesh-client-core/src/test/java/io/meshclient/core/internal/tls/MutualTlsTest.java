package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.PeerIdentityMismatchException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.TlsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class MutualTlsTest {
  static final String REVIEWS = "spiffe://prod/ns/default/sa/reviews";

  @TempDir
  static Path dir;
  static TestPki.Held prodCa;
  static TestPki.Held otherCa;
  static TestPki.Held client;
  static Path caPem;
  static Path clientPem;
  static Path clientKey;

  @BeforeAll
  static void pki() throws Exception {
    prodCa = TestPki.ca("prod");
    otherCa = TestPki.ca("staging");
    client = TestPki.leaf(prodCa, "productpage", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/productpage"));
    caPem = prodCa.writeCertificate(dir, "ca.pem");
    clientPem = client.writeCertificate(dir, "client.pem");
    clientKey = client.writeKey(dir, "client-key.pem");
  }

  private static Mesh mesh(int port) {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews",
        List.of(ServiceInstance.of("reviews", "127.0.0.1", port)));
    ServiceConfig reviews = ServiceConfig.builder("reviews").retry(RetryConfig.DEFAULT.withAttempts(3))
        .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF)
        .tls(new TlsConfig("file:" + caPem, "file:" + clientPem, "file:" + clientKey, REVIEWS)).build();
    return Mesh.builder().discovery("memory", discovery)
        .config(MeshConfig.builder().service(reviews).build()).build();
  }

  private static String get(Mesh mesh) throws IOException {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/r/1").build()).execute()) {
      return r.body().string();
    }
  }

  @Test
  void theRightIdentityGetsThroughWithTheClientCertificate() throws Exception {
    TestPki.Held server = TestPki.leaf(prodCa, "reviews", new TestPki.Leaf().uri(REVIEWS));
    try (CountingTlsServer tls = new CountingTlsServer(server, prodCa, prodCa); Mesh mesh = mesh(tls.port())) {
      assertThat(get(mesh)).isEqualTo("ok");
      assertThat(tls.requests()).isEqualTo(1);
      assertThat(tls.bytesReceived()).isPositive();
      assertThat(tls.clientSubject()).isEqualTo("CN=productpage");
    }
  }

  @Test
  void elevenBadCertificatesAreAllRefusedWithZeroRequestBytesWritten() throws Exception {
    Instant now = Instant.now();
    Map<String, TestPki.Held> bad = new LinkedHashMap<>();
    bad.put("wrong path", TestPki.leaf(prodCa, "x", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/ratings")));
    bad.put("wrong trust domain", TestPki.leaf(prodCa, "x", new TestPki.Leaf().uri("spiffe://staging/ns/default/sa/reviews")));
    bad.put("signed by another domain's CA", TestPki.leaf(otherCa, "x", new TestPki.Leaf().uri(REVIEWS)));
    bad.put("spiffe text in a DNS SAN", TestPki.leaf(prodCa, "x", new TestPki.Leaf().dns(REVIEWS)));
    bad.put("two URI SANs", TestPki.leaf(prodCa, "x", new TestPki.Leaf().uri(REVIEWS).uri("spiffe://prod/ns/default/sa/other")));
    bad.put("wrong scheme", TestPki.leaf(prodCa, "x", new TestPki.Leaf().uri("https://prod/ns/default/sa/reviews")));
    bad.put("root path", TestPki.leaf(prodCa, "x", new TestPki.Leaf().uri("spiffe://prod")));
    bad.put("CA leaf", TestPki.leaf(prodCa, "x", new TestPki.Leaf().uri(REVIEWS).ca()));
    bad.put("keyCertSign", TestPki.leaf(prodCa, "x", new TestPki.Leaf().uri(REVIEWS).keyCertSign()));
    bad.put("expired", TestPki.leaf(prodCa, "x", new TestPki.Leaf().uri(REVIEWS)
        .valid(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)))));
    bad.put("not yet valid", TestPki.leaf(prodCa, "x", new TestPki.Leaf().uri(REVIEWS)
        .valid(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2)))));
    assertThat(bad).hasSize(11);
    for (Map.Entry<String, TestPki.Held> c : bad.entrySet()) {
      TestPki.Held issuer = c.getKey().equals("signed by another domain's CA") ? otherCa : prodCa;
      try (CountingTlsServer tls = new CountingTlsServer(c.getValue(), issuer, prodCa); Mesh mesh = mesh(tls.port())) {
        assertThatThrownBy(() -> get(mesh)).as(c.getKey()).isInstanceOfAny(PeerIdentityMismatchException.class,
            SSLHandshakeException.class);
        Thread.sleep(50);
        assertThat(tls.bytesReceived()).as("%s: request bytes the server received", c.getKey()).isZero();
        assertThat(tls.requests()).as(c.getKey()).isZero();
      }
    }
  }

  @Test
  void aMismatchNamesTheExpectedAndThePresentedIdentity() throws Exception {
    TestPki.Held server = TestPki.leaf(prodCa, "ratings", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/ratings"));
    try (CountingTlsServer tls = new CountingTlsServer(server, prodCa, prodCa); Mesh mesh = mesh(tls.port())) {
      assertThatThrownBy(() -> get(mesh)).isInstanceOfSatisfying(PeerIdentityMismatchException.class, e -> {
        assertThat(e.expected()).isEqualTo(REVIEWS);
        assertThat(e.presented()).isEqualTo("spiffe://prod/ns/default/sa/ratings");
        assertThat(e).hasMessage("instance 127.0.0.1:" + tls.port() + " of service 'reviews' failed the peer "
            + "identity check: expected " + REVIEWS + ", presented spiffe://prod/ns/default/sa/ratings; nothing was sent");
      });
    }
  }

  @Test
  void unreadableTlsFilesAreConfigurationErrorsNamingTheKey() {
    ServiceConfig reviews = ServiceConfig.builder("reviews")
        .tls(new TlsConfig("file:" + caPem, "file:" + clientPem, "file:" + dir.resolve("missing.pem"), REVIEWS)).build();
    assertThatThrownBy(() -> Mesh.builder().discovery("memory", new InMemoryDiscovery())
        .config(MeshConfig.builder().service(reviews).build()).build())
        .hasMessage("mesh.services.reviews.tls.private-key: file:" + dir.resolve("missing.pem")
            + " (expected: a readable PEM PKCS#8 private key matching the certificate (no such file))");
  }
}
