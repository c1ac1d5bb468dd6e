package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.internal.http2.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/2 negotiated by ALPN over TLS (OkHttp's default protocols, a secure instance): a POST whose stream the
 * server refuses is sent again, as over h2c.
 */
@Timeout(30)
class Http2OverTlsRefusedStreamTest {
  private final MockWebServer server = new MockWebServer();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aPostRefusedOverH2NegotiatedByAlpnIsSentAgain() throws Exception {
    TestPki.Held ca = TestPki.ca("test");
    TestPki.Held leaf = TestPki.leaf(ca, "orders", new TestPki.Leaf().dns("orders"));
    SSLContext serverTls = TestPki.serverContext(leaf, ca);
    server.useHttps(serverTls.getSocketFactory());
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    server.enqueue(new MockResponse.Builder()
        .onResponseStart(new SocketEffect.CloseStream(ErrorCode.REFUSED_STREAM.getHttpCode())).build());
    server.enqueue(new MockResponse.Builder().body("ok").build());
    server.start();

    X509TrustManager trustManager = TestPki.trusting(ca);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, new TrustManager[] {trustManager}, null);
    OkHttpClient base = new OkHttpClient.Builder().sslSocketFactory(clientTls.getSocketFactory(), trustManager).build();
    ServiceInstance instance = new ServiceInstance("o1", "orders", "127.0.0.1", server.getPort(), true, 1, Map.of(), "");
    try (Mesh mesh = Mesh.builder().okHttpClient(base)
        .config(MeshConfig.builder().service(ServiceConfig.builder("orders").build()).build())
        .discovery("memory", new InMemoryDiscovery().set("orders", List.of(instance))).build();
        Response response = mesh.httpClient().newCall(new Request.Builder().url("https://orders/orders")
            .post(RequestBody.create("{}", MediaType.get("application/json"))).build()).execute()) {
      assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
      assertThat(response.body().string()).isEqualTo("ok");
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
  }
}
