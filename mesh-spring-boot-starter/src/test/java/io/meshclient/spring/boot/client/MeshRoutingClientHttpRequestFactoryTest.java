package io.meshclient.spring.boot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.UnknownServiceException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * The factory the starter wraps around every Spring request factory applies {@code mesh.unknown-hosts}:
 * a mistyped single-label service is refused, not handed to the application's own factory (and DNS).
 */
class MeshRoutingClientHttpRequestFactoryTest {
  private final MockWebServer server = new MockWebServer();
  private final List<URI> delegated = new CopyOnWriteArrayList<>();
  private Mesh mesh;

  @BeforeEach
  void start() throws Exception {
    server.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    server.close();
  }

  private RestClient client(String unknownHosts) {
    mesh = Mesh.builder()
        .config(MeshConfig.fromMap(Map.of("unknown-hosts", unknownHosts, "services", Map.of("echo", Map.of()))))
        .discovery("static", StaticServiceDiscovery.builder()
            .instance("echo", "http://127.0.0.1:" + server.getPort()).build())
        .build();
    SimpleClientHttpRequestFactory simple = new SimpleClientHttpRequestFactory();
    ClientHttpRequestFactory own = (uri, method) -> {
      delegated.add(uri);
      return simple.createRequest(uri, method);
    };
    return RestClient.builder().requestFactory(new MeshRoutingClientHttpRequestFactory(() -> mesh, own)).build();
  }

  @Test
  void aMistypedServiceIsRefusedInsteadOfGoingToTheApplicationsFactory() {
    RestClient client = client("refuse");

    assertThatThrownBy(() -> client.get().uri("http://ecoh/x").retrieve().body(String.class))
        .isInstanceOf(ResourceAccessException.class)
        .cause().isInstanceOf(UnknownServiceException.class)
        .hasMessageStartingWith("GET http://ecoh/... refused: 'ecoh' is not a mesh service")
        .hasMessageEndingWith("; did you mean 'echo'?");
    assertThat(delegated).isEmpty();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void servicesGoThroughTheMeshAndOtherHostsToTheApplicationsFactory() throws Exception {
    RestClient client = client("refuse");
    server.enqueue(new MockResponse.Builder().body("mesh").build());
    server.enqueue(new MockResponse.Builder().body("own").build());

    assertThat(client.get().uri("http://echo/a").retrieve().body(String.class)).isEqualTo("mesh");
    assertThat(client.get().uri("http://127.0.0.1:" + server.getPort() + "/b").retrieve().body(String.class))
        .isEqualTo("own");
    assertThat(delegated).containsExactly(URI.create("http://127.0.0.1:" + server.getPort() + "/b"));
  }

  @Test
  void passThroughHandsUnknownSingleLabelHostsToTheApplicationsFactory() throws Exception {
    RestClient client = client("pass-through");

    assertThat(new MeshRoutingClientHttpRequestFactory(() -> mesh, (ClientHttpRequestFactory) (uri, method) -> {
      delegated.add(uri);
      return new SimpleClientHttpRequestFactory().createRequest(uri, method);
    }).createRequest(URI.create("http://ecoh/x"), HttpMethod.GET)).isNotNull();
    assertThat(delegated).containsExactly(URI.create("http://ecoh/x"));
    assertThat(client).isNotNull();
  }
}
