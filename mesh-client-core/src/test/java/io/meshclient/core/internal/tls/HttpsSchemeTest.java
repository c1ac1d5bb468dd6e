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

  private OkHttpClient meshTrusting(TestPki.Held ca, boolean secure) throws Exception {
    X509TrustManager trustManager = TestPki.trusting(ca);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new javax.net.ssl.TrustManager[] {trustManager}, null);
    OkHttpClient base = new OkHttpClient.Builder().sslSocketFactory(context.getSocketFactory(), trustManager).build();
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
}
