package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshListener;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS handshakes that fail for another reason than the peer's identity: the call fails closed with a message
 * naming the instance, the service and the certificate expected, and the instance is charged with a connect
 * failure (as Envoy counts a failed handshake), so a retry goes to another instance and outlier detection ejects it.
 */
@Timeout(60)
class TlsHandshakeFailureTest {
  static final String REVIEWS = "spiffe://prod/ns/default/sa/reviews";

  @TempDir
  static Path dir;
  static TestPki.Held ca;
  static TestPki.Held otherCa;
  static TestPki.Held good;
  static Path caPem;
  static Path clientPem;
  static Path clientKey;

  @BeforeAll
  static void pki() throws Exception {
    ca = TestPki.ca("prod");
    otherCa = TestPki.ca("staging");
    good = TestPki.leaf(ca, "reviews", new TestPki.Leaf().uri(REVIEWS));
    TestPki.Held client = TestPki.leaf(ca, "productpage", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/pp"));
    caPem = ca.writeCertificate(dir, "ca.pem");
    clientPem = client.writeCertificate(dir, "client.pem");
    clientKey = client.writeKey(dir, "client-key.pem");
  }

  private static Mesh mesh(MeshListener listener, OutlierConfig outliers, int... ports) {
    List<ServiceInstance> instances = new java.util.ArrayList<>();
    for (int port : ports) {
      instances.add(ServiceInstance.of("reviews", "127.0.0.1", port));
    }
    ServiceConfig reviews = ServiceConfig.builder("reviews").retry(RetryConfig.DEFAULT.withAttempts(ports.length))
        .outlierDetection(outliers)
        .tls(new TlsConfig("file:" + caPem, "file:" + clientPem, "file:" + clientKey, REVIEWS)).build();
    return Mesh.builder().discovery("memory", new InMemoryDiscovery().set("reviews", instances)).listener(listener)
        .config(MeshConfig.builder().service(reviews).build()).build();
  }

  private static Mesh mesh(int port) {
    return mesh(new MeshListener() {}, ServiceConfig.OUTLIER_DETECTION_OFF, port);
  }

  /** A listener adding the outcome of each call to {@code outcomes}. */
  private static MeshListener outcomesInto(List<String> outcomes) {
    return new MeshListener() {
      @Override
      public void onCallComplete(String service, String subset, String method, int status,
          io.meshclient.api.CallOutcome outcome, long durationNanos) {
        outcomes.add(outcome.name());
      }
    };
  }

  private static String get(Mesh mesh) throws IOException {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/r/1").build()).execute()) {
      return r.body().string();
    }
  }

  private static String expected() {
    return " (expected: a certificate chain valid now and trusted by file:" + caPem + ", proving " + REVIEWS + ")";
  }

  @Test
  void anExpiredCertificateFailsNamingTheInstanceTheServiceItsExpiryAndWhatWasExpected() throws Exception {
    Instant now = Instant.now();
    TestPki.Held expired = TestPki.leaf(ca, "reviews", new TestPki.Leaf().uri(REVIEWS)
        .valid(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))));
    try (CountingTlsServer tls = new CountingTlsServer(expired, ca, ca); Mesh mesh = mesh(tls.port())) {
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(SSLHandshakeException.class)
          .hasMessage("instance 127.0.0.1:" + tls.port() + " of service 'reviews' failed the TLS handshake: PKIX path "
              + "validation failed: java.security.cert.CertPathValidatorException: validity check failed "
              + "(CertificateExpiredException: NotAfter: " + expired.certificate().getNotAfter() + ")" + expected())
          .hasRootCauseInstanceOf(java.security.cert.CertificateExpiredException.class);
      assertThat(tls.bytesReceived()).isZero();
    }
  }

  @Test
  void aCertificateOfAnotherCaFailsNamingTheInstanceAndTheTrustBundle() throws Exception {
    TestPki.Held foreign = TestPki.leaf(otherCa, "reviews", new TestPki.Leaf().uri(REVIEWS));
    try (CountingTlsServer tls = new CountingTlsServer(foreign, otherCa, ca); Mesh mesh = mesh(tls.port())) {
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(SSLHandshakeException.class)
          .hasMessage("instance 127.0.0.1:" + tls.port() + " of service 'reviews' failed the TLS handshake: PKIX path "
              + "building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid "
              + "certification path to requested target" + expected());
      assertThat(tls.bytesReceived()).isZero();
    }
  }

  @Test
  void aServerAnsweringWithABadCertificateAlertIsNamedAsRefusingTheClientCertificate() throws Exception {
    // A real server refusing the certificate races its alert against the client's next write (the client may see
    // "Broken pipe" instead); this one sends the alert at once and keeps the connection open, so the client reads it.
    byte[] badCertificateAlert = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 42};
    try (ServerSocket refusing = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      answerOnAThread(refusing, badCertificateAlert, new CopyOnWriteArrayList<>());
      try (Mesh mesh = mesh(refusing.getLocalPort())) {
        assertThatThrownBy(() -> get(mesh)).isInstanceOf(SSLHandshakeException.class)
            .hasMessage("instance 127.0.0.1:" + refusing.getLocalPort() + " of service 'reviews' failed the TLS "
                + "handshake: Received fatal alert: bad_certificate; the instance refused the client certificate "
                + "CN=productpage" + expected());
      }
    }
  }

  @Test
  void aTls13ServerRefusingTheClientCertificateIsNamedSoEvenWhenTheRequestWriteFailsFirst() throws Exception {
    // The server checks the client certificate after the client finished its handshake: the client either reads
    // the server's alert, or first fails to write its request ("Broken pipe", the alert attached as suppressed).
    try (CountingTlsServer tls = new CountingTlsServer(good, ca, otherCa).requireClientCertificate();
        Mesh mesh = mesh(tls.port())) {
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(() -> get(mesh)).isInstanceOf(SSLHandshakeException.class)
            .hasMessageStartingWith("instance 127.0.0.1:" + tls.port() + " of service 'reviews' failed the TLS "
                + "handshake: Received fatal alert: ")
            .hasMessageEndingWith("; the instance refused the client certificate CN=productpage" + expected());
      }
      assertThat(tls.requests()).isZero();
    }
  }

  @Test
  void aPlaintextServerGetsOnlyAClientHelloAndTheFailureSaysItDoesNotSpeakTls() throws Exception {
    List<Integer> firstBytes = new CopyOnWriteArrayList<>();
    try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      answerOnAThread(plain, ("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII), firstBytes);
      try (Mesh mesh = mesh(plain.getLocalPort())) {
        assertThatThrownBy(() -> get(mesh)).isExactlyInstanceOf(SSLException.class)
            .hasMessage("instance 127.0.0.1:" + plain.getLocalPort() + " of service 'reviews' failed the TLS "
                + "handshake: Unsupported or unrecognized SSL message; the instance does not answer in TLS (a "
                + "plaintext server?)" + expected());
      }
    }
    assertThat(firstBytes).isNotEmpty().containsOnly(0x16); // a TLS handshake record, never "GET "
  }

  @Test
  void aFailedHandshakeIsAConnectFailureRetriedOnAnotherInstanceAndEjectsItsInstance() throws Exception {
    TestPki.Held foreign = TestPki.leaf(otherCa, "reviews", new TestPki.Leaf().uri(REVIEWS));
    List<String> events = new CopyOnWriteArrayList<>();
    MeshListener listener = new MeshListener() {
      @Override
      public void onRetry(String service, String reason) {
        events.add("retry " + reason);
      }

      @Override
      public void onEjected(String service, String instanceId, long nanos) {
        events.add("ejected " + instanceId);
      }
    };
    OutlierConfig oneFailureEjects = new OutlierConfig(1, Duration.ofSeconds(30), Duration.ofSeconds(300), 50, 0);
    try (CountingTlsServer bad = new CountingTlsServer(foreign, otherCa, ca);
        CountingTlsServer ok = new CountingTlsServer(good, ca, ca)) {
      for (int i = 0; i < 10 && events.isEmpty(); i++) { // until the balancer picks the bad instance first
        try (Mesh mesh = mesh(listener, oneFailureEjects, bad.port(), ok.port())) {
          assertThat(get(mesh)).isEqualTo("ok");
        }
      }
      assertThat(events).containsExactlyInAnyOrder("ejected 127.0.0.1:" + bad.port(), "retry connect-failure");
      assertThat(bad.bytesReceived()).isZero();
    }
  }

  @Test
  void aCallThatDiesOfAFailedHandshakeIsRecordedAsAConnectFailureAsItsAttemptIs() throws Exception {
    TestPki.Held foreign = TestPki.leaf(otherCa, "reviews", new TestPki.Leaf().uri(REVIEWS));
    List<String> outcomes = new CopyOnWriteArrayList<>();
    MeshListener listener = outcomesInto(outcomes);
    try (CountingTlsServer bad = new CountingTlsServer(foreign, otherCa, ca);
        Mesh mesh = mesh(listener, ServiceConfig.OUTLIER_DETECTION_OFF, bad.port())) {
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(SSLHandshakeException.class);
    }
    assertThat(outcomes).as("as a peer identity mismatch is").containsExactly("CONNECT_FAILURE");
  }

  @Test
  void aRetryThatFindsTheOnlyInstanceEjectedFailsWithTheHandshakeFailureThatEjectedItAsCause() throws Exception {
    TestPki.Held foreign = TestPki.leaf(otherCa, "reviews", new TestPki.Leaf().uri(REVIEWS));
    OutlierConfig ejectAll = new OutlierConfig(1, Duration.ofSeconds(30), Duration.ofSeconds(300), 100, 0);
    try (CountingTlsServer bad = new CountingTlsServer(foreign, otherCa, ca)) {
      ServiceConfig reviews = ServiceConfig.builder("reviews").retry(RetryConfig.DEFAULT.withAttempts(2))
          .outlierDetection(ejectAll)
          .tls(new TlsConfig("file:" + caPem, "file:" + clientPem, "file:" + clientKey, REVIEWS)).build();
      List<String> outcomes = new CopyOnWriteArrayList<>();
      MeshListener listener = outcomesInto(outcomes);
      try (Mesh mesh = Mesh.builder().discovery("memory", new InMemoryDiscovery().set("reviews",
              List.of(ServiceInstance.of("reviews", "127.0.0.1", bad.port())))).listener(listener)
          .config(MeshConfig.builder().service(reviews).build()).build()) {
        assertThatThrownBy(() -> get(mesh)).isInstanceOf(io.meshclient.api.NoHealthyInstanceException.class)
            .hasMessage("no healthy instance of service 'reviews': its only instance is ejected by outlier detection")
            .cause().isInstanceOf(SSLHandshakeException.class)
            .hasMessageStartingWith("instance 127.0.0.1:" + bad.port() + " of service 'reviews' failed the TLS "
                + "handshake: PKIX path building failed");
        assertThat(outcomes).as("the call, refused for want of an instance").containsExactly("REFUSED");
      }
    }
  }

  /**
   * One instance at {@code port}, every call hedged after 1 s, ejected at its first failure: hedged attempts run as
   * calls of their own ({@code HedgedAttempts}), which name their failures a second time.
   */
  private static Mesh hedgedMesh(int port, int attempts, MeshListener listener) {
    String yaml = """
        mesh:
          services:
            reviews:
              tls: { trust: "file:CA", cert-chain: "file:CERT", private-key: "file:KEY", peer-identity: "ID" }
              retry: { attempts: ATTEMPTS }
              outlier-detection: { consecutive-failures: 1, max-ejected: 100%, panic-threshold: 0% }
              routes: [ { to: { service: reviews }, hedge: { after: 1s } } ]
        """.replace("CA", caPem.toString()).replace("CERT", clientPem.toString())
        .replace("KEY", clientKey.toString()).replace("ID", REVIEWS).replace("ATTEMPTS", String.valueOf(attempts));
    return Mesh.builder().config(MeshConfig.fromYaml(yaml, name -> null)).listener(listener)
        .discovery("memory", new InMemoryDiscovery().set("reviews",
            List.of(ServiceInstance.of("reviews", "127.0.0.1", port)))).build();
  }

  @Test
  void aHedgedRetryThatFindsTheOnlyInstanceEjectedFailsWithTheHandshakeFailureThatEjectedItAsCause() throws Exception {
    TestPki.Held foreign = TestPki.leaf(otherCa, "reviews", new TestPki.Leaf().uri(REVIEWS));
    List<String> outcomes = new CopyOnWriteArrayList<>();
    try (CountingTlsServer bad = new CountingTlsServer(foreign, otherCa, ca);
        Mesh mesh = hedgedMesh(bad.port(), 2, outcomesInto(outcomes))) {
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(io.meshclient.api.NoHealthyInstanceException.class)
          .hasMessage("no healthy instance of service 'reviews': its only instance is ejected by outlier detection")
          .cause().isInstanceOf(SSLHandshakeException.class)
          .hasMessage("instance 127.0.0.1:" + bad.port() + " of service 'reviews' failed the TLS handshake: PKIX path "
              + "building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid "
              + "certification path to requested target" + expected());
      assertThat(bad.bytesReceived()).isZero();
    }
    assertThat(outcomes).as("the call, refused for want of an instance").containsExactly("REFUSED");
  }

  @Test
  void aTls13ServerRefusingTheClientCertificateIsNamedSoOnAHedgedRouteToo() throws Exception {
    try (CountingTlsServer tls = new CountingTlsServer(good, ca, otherCa).requireClientCertificate()) {
      for (int i = 0; i < 5; i++) {
        try (Mesh mesh = hedgedMesh(tls.port(), 1, new MeshListener() {})) {
          assertThatThrownBy(() -> get(mesh)).isInstanceOf(SSLHandshakeException.class)
              .hasMessageStartingWith("instance 127.0.0.1:" + tls.port() + " of service 'reviews' failed the TLS "
                  + "handshake: Received fatal alert: ")
              .hasMessageEndingWith("; the instance refused the client certificate CN=productpage" + expected());
        }
      }
      assertThat(tls.requests()).isZero();
    }
  }

  /**
   * On a thread of its own, reads what each client sends first, records its first byte, answers {@code reply}, and
   * waits for the client to close (so it reads the reply rather than a reset).
   */
  private static void answerOnAThread(ServerSocket server, byte[] reply, List<Integer> firstBytes) {
    Thread thread = new Thread(() -> answer(server, reply, firstBytes));
    thread.setDaemon(true);
    thread.start();
  }

  private static void answer(ServerSocket server, byte[] reply, List<Integer> firstBytes) {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        firstBytes.add(in.read());
        in.read(new byte[4096]);
        OutputStream out = s.getOutputStream();
        out.write(reply);
        out.flush();
        s.setSoTimeout(5_000);
        while (in.read() != -1) {
          // until the client closes
        }
      } catch (IOException closed) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }
}
