package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.MeshException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scheme the caller asked for is a contract: {@code https://reviews/...} goes over TLS, verified
 * against the name {@code reviews} (sent as SNI), or is refused before any I/O; never as plaintext.
 */
@Timeout(30)
class HttpsSchemeTest {
  private SniffingServer server;
  private Mesh mesh;

  @AfterEach
  void stop() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static OkHttpClient trusting(TestPki.Held ca) throws Exception {
    X509TrustManager trustManager = TestPki.trusting(ca);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new javax.net.ssl.TrustManager[] {trustManager}, null);
    return new OkHttpClient.Builder().sslSocketFactory(context.getSocketFactory(), trustManager).build();
  }

  private OkHttpClient meshTrusting(TestPki.Held ca, boolean secure) throws Exception {
    OkHttpClient base = trusting(ca);
    ServiceInstance instance = new ServiceInstance("r1", "reviews", "127.0.0.1", server.port(), secure, 1, Map.of(), "");
    mesh = Mesh.builder().okHttpClient(base)
        .config(MeshConfig.builder().service(ServiceConfig.builder("reviews").build()).build())
        .discovery("memory", new InMemoryDiscovery().set("reviews", List.of(instance))).build();
    return mesh.httpClient();
  }

  @Test
  void httpsToAnInstanceThatIsNotSecureIsRefusedBeforeAnyIo() throws Exception {
    TestPki.Held ca = TestPki.ca("test");
    server = new SniffingServer(TestPki.leaf(ca, "reviews", new TestPki.Leaf().dns("reviews")), ca);
    OkHttpClient client = meshTrusting(ca, false);

    assertThatThrownBy(() -> client.newCall(new Request.Builder().url("https://reviews/x").build()).execute())
        .isInstanceOf(MeshException.class)
        .hasMessage("GET https://reviews/... refused before sending: instance r1 of service reviews is not secure"
            + " and mesh.services.reviews.tls is not set; an https:// call is never sent as plain HTTP");
    assertThat(server.plaintextAccepts()).isZero();
    assertThat(server.tlsAccepts()).isZero();
  }

  @Test
  void httpsToASecureInstanceIsVerifiedAgainstTheServiceNameSentAsSni() throws Exception {
    TestPki.Held ca = TestPki.ca("test");
    server = new SniffingServer(TestPki.leaf(ca, "reviews", new TestPki.Leaf().dns("reviews")), ca);
    OkHttpClient client = meshTrusting(ca, true);

    for (int i = 0; i < 3; i++) {
      try (Response response = client.newCall(new Request.Builder().url("https://reviews/x" + i).build()).execute()) {
        assertThat(response.body().string()).isEqualTo("ok");
      }
    }
    assertThat(server.serverNames()).containsOnly("reviews");
    assertThat(server.tlsAccepts()).isPositive();
    assertThat(server.plaintextAccepts()).isZero();
  }

  @Test
  void aSecureInstanceWhoseCertificateNamesAnotherServiceIsRefused() throws Exception {
    TestPki.Held ca = TestPki.ca("test");
    server = new SniffingServer(TestPki.leaf(ca, "ratings", new TestPki.Leaf().dns("ratings").ip("127.0.0.1")), ca);
    OkHttpClient client = meshTrusting(ca, true);

    assertThatThrownBy(() -> client.newCall(new Request.Builder().url("https://reviews/x").build()).execute())
        .isInstanceOf(SSLPeerUnverifiedException.class)
        .hasMessageStartingWith("instance 127.0.0.1:" + server.port() + " of service 'reviews' failed the TLS "
            + "handshake: Hostname 127.0.0.1 not verified")
        .hasMessageEndingWith(" (expected: a certificate the platform trusts, for reviews)");
    assertThat(server.plaintextAccepts()).isZero();
  }

  /** Two services, ratings and reviews, whose secure instances share one address (a gateway's). */
  private OkHttpClient twoServicesAtOneAddress(TestPki.Held ca) throws Exception {
    OkHttpClient base = trusting(ca);
    InMemoryDiscovery discovery = new InMemoryDiscovery();
    for (String name : List.of("ratings", "reviews")) {
      discovery.set(name, List.of(new ServiceInstance(name + "-1", name, "127.0.0.1", server.port(), true, 1, Map.of(), "")));
    }
    mesh = Mesh.builder().okHttpClient(base).discovery("memory", discovery).config(MeshConfig.builder()
        .service(ServiceConfig.builder("ratings").build()).service(ServiceConfig.builder("reviews").build()).build())
        .build();
    return mesh.httpClient();
  }

  private static String get(OkHttpClient client, String url) throws Exception {
    try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return response.body().string();
    }
  }

  @Test
  void aCertificateForOneServiceIsNotTakenForAnotherAtTheSameAddress() throws Exception {
    TestPki.Held ca = TestPki.ca("test");
    server = new SniffingServer(TestPki.leaf(ca, "ratings", new TestPki.Leaf().dns("ratings")), ca);
    OkHttpClient client = twoServicesAtOneAddress(ca);

    // The connection to ratings, verified for ratings, was pooled by address and taken by the call to reviews.
    assertThat(get(client, "https://ratings/x")).isEqualTo("ok");
    assertThatThrownBy(() -> get(client, "https://reviews/x")).isInstanceOf(SSLPeerUnverifiedException.class)
        .hasMessageStartingWith("instance 127.0.0.1:" + server.port() + " of service 'reviews' failed the TLS "
            + "handshake: Hostname 127.0.0.1 not verified");
    assertThat(get(client, "https://ratings/x")).isEqualTo("ok");
    assertThat(server.serverNames()).containsOnly("ratings", "reviews");
  }

  @Test
  void aGatewayWhoseCertificateNamesBothServicesServesBothEachOnItsOwnConnections() throws Exception {
    TestPki.Held ca = TestPki.ca("test");
    server = new SniffingServer(TestPki.leaf(ca, "gateway", new TestPki.Leaf().dns("ratings").dns("reviews")), ca);
    OkHttpClient client = twoServicesAtOneAddress(ca);

    for (int i = 0; i < 3; i++) {
      assertThat(get(client, "https://ratings/x")).isEqualTo("ok");
      assertThat(get(client, "https://reviews/x")).isEqualTo("ok");
    }
    assertThat(server.tlsAccepts()).isEqualTo(2); // one connection per service, each reused by its own calls
  }

  @Test
  void aCertificateForOneServiceIsNotTakenForAnotherAtTheSameAddressOnAFreshConnection() throws Exception {
    TestPki.Held ca = TestPki.ca("test");
    server = new SniffingServer(TestPki.leaf(ca, "ratings", new TestPki.Leaf().dns("ratings")), ca);
    OkHttpClient client = twoServicesAtOneAddress(ca);

    assertThatThrownBy(() -> get(client, "https://reviews/x")).isInstanceOf(SSLPeerUnverifiedException.class);
    assertThat(get(client, "https://ratings/x")).isEqualTo("ok");
  }
}
