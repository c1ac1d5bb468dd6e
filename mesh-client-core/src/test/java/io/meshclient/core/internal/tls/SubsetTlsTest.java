package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.MeshException;
import io.meshclient.api.PeerIdentityMismatchException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.SubsetPolicyConfig;
import io.meshclient.core.config.TlsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subset's own TLS (a DestinationRule subset's {@code trafficPolicy.tls}, mesh.yaml {@code
 * subset-policies.<subset>.tls}) on real servers on 127.0.0.1: the subset's calls go over TLS with its client
 * certificate while the others stay plain HTTP, its connections are never another subset's, and a wrong
 * identity fails closed.
 */
@Timeout(60)
class SubsetTlsTest {
  private static final String V2 = "spiffe://prod/ns/default/sa/reviews-v2";

  @TempDir
  static Path dir;
  static TestPki.Held ca;
  static Path caPem;
  static Path clientPem;
  static Path clientKey;
  static Path otherPem;
  static Path otherKey;
  static TestPki.Held v2Identity;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void pki() throws Exception {
    ca = TestPki.ca("prod");
    TestPki.Held client = TestPki.leaf(ca, "productpage", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/productpage"));
    TestPki.Held other = TestPki.leaf(ca, "canary-tester", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/tester"));
    caPem = ca.writeCertificate(dir, "ca.pem");
    clientPem = client.writeCertificate(dir, "client.pem");
    clientKey = client.writeKey(dir, "client-key.pem");
    otherPem = other.writeCertificate(dir, "other.pem");
    otherKey = other.writeKey(dir, "other-key.pem");
    v2Identity = TestPki.leaf(ca, "reviews-v2", new TestPki.Leaf().uri(V2));
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closeAfterTest(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  /** A TLS server presenting {@code v2Identity} that requires a client certificate and answers with its subject. */
  private CountingTlsServer tlsServer() throws Exception {
    return closeAfterTest(new CountingTlsServer(v2Identity, ca, ca).requireClientCertificate()
        .answerWithClientSubject());
  }

  private static ServiceInstance instance(int port, String id, Map<String, String> labels) {
    return ServiceInstance.builder("reviews", "127.0.0.1", port).id(id).metadata(labels).build();
  }

  private static String body(Mesh mesh, String url, String... headers) throws IOException {
    Request.Builder request = new Request.Builder().url(url);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try (Response r = mesh.httpClient().newCall(request.build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.body().string();
    }
  }

  private Path istio(String yaml) throws IOException {
    return Files.writeString(dir.resolve("istio-" + closeables.size() + ".yaml"), yaml);
  }

  @Test
  void aSubsetsMutualTlsCarriesItsCallsWithTheClientCertificateWhileTheOtherSubsetStaysPlaintext() throws Exception {
    LoopbackServer v1 = closeAfterTest(new LoopbackServer("v1"));
    CountingTlsServer v2 = tlsServer();
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        v1.instance("reviews", Map.of("version", "v1")), instance(v2.port(), "reviews-v2", Map.of("version", "v2"))));
    Path file = istio("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          subsets:
            - { name: v1, labels: { version: v1 } }
            - name: v2
              labels: { version: v2 }
              trafficPolicy:
                tls:
                  mode: MUTUAL
                  caCertificates: %s
                  clientCertificate: %s
                  privateKey: %s
                  subjectAltNames: [%s]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route:
                - { destination: { host: reviews, subset: v1 }, weight: 50 }
                - { destination: { host: reviews, subset: v2 }, weight: 50 }
              retries: { attempts: 0 }
        """.formatted(caPem, clientPem, clientKey, V2));
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery).build()) {
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      assertThat(mesh.config().service("reviews").subsetPolicies().get("v2").tls())
          .isEqualTo(new TlsConfig(caPem.toString(), clientPem.toString(), clientKey.toString(), V2));
      int overTls = 0;
      for (int i = 0; i < 60; i++) {
        String answer = body(mesh, "http://reviews/r");
        assertThat(answer).isIn("v1", "CN=productpage");
        overTls += answer.equals("CN=productpage") ? 1 : 0;
      }
      System.out.printf("subset tls: %d of 60 calls to v2 over TLS, %d to v1 in plain HTTP%n", overTls,
          v1.requests.get());
      assertThat(overTls).as("v2's share of the split").isBetween(10, 50).isEqualTo(v2.requests());
      assertThat(v1.requests.get()).as("v1 in plain HTTP: a TLS hello would not parse there").isEqualTo(60 - overTls);
      assertThat(v2.clientSubjects()).as("one handshake, then the pooled connection is reused")
          .containsExactly("CN=productpage");
    }
  }

  @Test
  void aSubsetsSubjectAltNameMismatchFailsClosedAndTheOtherSubsetKeepsServing() throws Exception {
    LoopbackServer v1 = closeAfterTest(new LoopbackServer("v1"));
    CountingTlsServer v2 = closeAfterTest(new CountingTlsServer(v2Identity, ca, ca));
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        v1.instance("reviews", Map.of("version", "v1")), instance(v2.port(), "reviews-v2", Map.of("version", "v2"))));
    Path file = istio("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          subsets:
            - { name: v1, labels: { version: v1 } }
            - name: v2
              labels: { version: v2 }
              trafficPolicy:
                tls: { mode: SIMPLE, caCertificates: %s, subjectAltNames: [spiffe://prod/ns/default/sa/ratings] }
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ headers: { x-to: { exact: v2 } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """.formatted(caPem));
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery).build()) {
      assertThatThrownBy(() -> body(mesh, "http://reviews/r", "x-to", "v2"))
          .isInstanceOfSatisfying(PeerIdentityMismatchException.class, e -> {
            assertThat(e.expected()).isEqualTo("spiffe://prod/ns/default/sa/ratings");
            assertThat(e.presented()).isEqualTo(V2);
          });
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("v1");
      Thread.sleep(50);
      assertThat(v2.bytesReceived()).as("request bytes the refused instance received").isZero();
      assertThat(v2.requests()).isZero();
    }
  }

  @Test
  void twoSubsetsAndTheServiceReachOneInstanceWithTheirOwnCertificatesAndNeverShareAConnection() throws Exception {
    CountingTlsServer server = tlsServer();
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews",
        List.of(instance(server.port(), "reviews-1", Map.of("version", "v2", "track", "canary"))));
    MeshConfig config = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              tls: { trust: "file:%1$s", cert-chain: "file:%2$s", private-key: "file:%3$s", peer-identity: "%6$s" }
              subsets: { stable: { version: v2 }, canary: { track: canary } }
              subset-policies:
                stable:
                  tls: { trust: "file:%1$s", cert-chain: "file:%2$s", private-key: "file:%3$s", peer-identity: "%6$s" }
                canary:
                  tls: { trust: "file:%1$s", cert-chain: "file:%4$s", private-key: "file:%5$s", peer-identity: "%6$s" }
              routes:
                - match: { headers: { x-to: { exact: stable } } }
                  to: stable
                - match: { headers: { x-to: { exact: canary } } }
                  to: canary
        """.formatted(caPem, clientPem, clientKey, otherPem, otherKey, V2), n -> null);
    try (Mesh mesh = Mesh.builder().config(config).discovery("memory", discovery).build()) {
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://reviews/r", "x-to", "canary")).isEqualTo("CN=canary-tester");
        assertThat(body(mesh, "http://reviews/r", "x-to", "stable")).isEqualTo("CN=productpage");
        assertThat(body(mesh, "http://reviews/r")).as("the whole service, with its own tls")
            .isEqualTo("CN=productpage");
      }
      assertThat(server.requests()).isEqualTo(30);
      assertThat(server.clientSubjects()).as("one connection each: the subsets', the service's")
          .containsExactlyInAnyOrder("CN=canary-tester", "CN=productpage", "CN=productpage");
    }
  }

  @Test
  void aSubsetsTlsOffSendsItsCallsInPlainHttpWhileTheServiceUsesTlsAndRefusesHttpsCallsToIt() throws Exception {
    LoopbackServer v1 = closeAfterTest(new LoopbackServer("v1"));
    CountingTlsServer v2 = tlsServer();
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        v1.instance("reviews", Map.of("version", "v1")), instance(v2.port(), "reviews-v2", Map.of("version", "v2"))));
    MeshConfig config = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              tls: { trust: "file:%s", cert-chain: "file:%s", private-key: "file:%s", peer-identity: "%s" }
              subsets: { v1: { version: v1 }, v2: { version: v2 } }
              subset-policies: { v1: { tls: { enabled: false } } }
              routes:
                - split: { v1: 50, v2: 50 }
                  retry: { attempts: 1 }
        """.formatted(caPem, clientPem, clientKey, V2), n -> null);
    assertThat(config.service("reviews").subsetPolicies().get("v1").tls()).isEqualTo(SubsetPolicyConfig.TLS_OFF);
    try (Mesh mesh = Mesh.builder().config(config).discovery("memory", discovery).build()) {
      for (int i = 0; i < 40; i++) {
        assertThat(body(mesh, "http://reviews/r")).isIn("v1", "CN=productpage");
      }
      assertThat(v1.requests.get()).isPositive().isEqualTo(40 - v2.requests());
      assertThat(v2.requests()).isPositive();
      int v1Before = v1.requests.get();
      int refused = 0;
      for (int i = 0; i < 20; i++) {
        try {
          assertThat(body(mesh, "https://reviews/r")).isEqualTo("CN=productpage");
        } catch (MeshException e) {
          assertThat(e).hasMessageContaining("is not secure and mesh.services.reviews.subset-policies.v1.tls turns TLS "
              + "off; an https:// call is never sent as plain HTTP");
          refused++;
        }
      }
      assertThat(refused).as("https:// calls split to v1 are refused").isPositive();
      assertThat(v1.requests.get()).as("none of them reached v1").isEqualTo(v1Before);
    }
  }

  @Test
  void aSubsetsTlsFileThatDoesNotLoadIsAConfigurationErrorNamingTheSubsetsKey() {
    MeshConfig config = MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets: { v2: { version: v2 } }
              subset-policies: { v2: { tls: { trust: "file:%s", cert-chain: "file:%s", private-key: "file:%s" } } }
        """.formatted(caPem, clientPem, dir.resolve("missing.pem")), n -> null);
    assertThatThrownBy(() -> Mesh.builder().config(config).discovery("memory", new InMemoryDiscovery()
        .set("reviews", List.of(instance(1, "reviews-1", Map.of("version", "v2"))))).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.subset-policies.v2.tls.private-key: file:" + dir.resolve("missing.pem")
            + " (expected: a readable PEM PKCS#8 private key matching the certificate (no such file))");
  }
}
