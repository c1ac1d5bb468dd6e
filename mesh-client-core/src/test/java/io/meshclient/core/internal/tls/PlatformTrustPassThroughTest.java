package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.core.Mesh;
import java.nio.file.Path;
import javax.net.ssl.SSLHandshakeException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh built without a base client sends calls to hosts that are not mesh instances over TLS checked
 * against the platform's trust store, exactly as plain OkHttp does, and exposes the handshake. The
 * platform's trust store is pointed at a test CA through the standard {@code javax.net.ssl.trustStore}
 * properties, restored afterwards; the client is built after they are set, on its first use.
 */
@Timeout(30)
class PlatformTrustPassThroughTest {
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

  @Test
  void passThroughTrustsWhatThePlatformTrustsAndNothingElse() throws Exception {
    TestPki.Held trusted = TestPki.leaf(platformCa, "api", new TestPki.Leaf().ip("127.0.0.1"));
    TestPki.Held otherCa = TestPki.ca("elsewhere");
    TestPki.Held untrusted = TestPki.leaf(otherCa, "api", new TestPki.Leaf().ip("127.0.0.1"));
    try (Mesh mesh = Mesh.builder().build();
        MockWebServer plain = new MockWebServer();
        CountingTlsServer good = new CountingTlsServer(trusted, platformCa, platformCa);
        CountingTlsServer bad = new CountingTlsServer(untrusted, otherCa, otherCa)) {
      OkHttpClient client = mesh.httpClient();
      plain.enqueue(new MockResponse.Builder().body("ok").build());
      plain.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
      try (Response response = client.newCall(new Request.Builder().url(plain.url("/")).build()).execute()) {
        assertThat(response.code()).isEqualTo(200);
      }

      try (Response response = client.newCall(
          new Request.Builder().url("https://127.0.0.1:" + good.port() + "/").build()).execute()) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.handshake().peerCertificates()).first().isEqualTo(trusted.certificate());
      }
      assertThat(good.requests()).isEqualTo(1);
      assertThat(client.x509TrustManager().getAcceptedIssuers()).containsExactly(platformCa.certificate());

      assertThatThrownBy(() -> client.newCall(
          new Request.Builder().url("https://127.0.0.1:" + bad.port() + "/").build()).execute())
          .isInstanceOf(SSLHandshakeException.class);
      assertThat(bad.bytesReceived()).as("application bytes sent to an untrusted server").isZero();
    }
  }
}
