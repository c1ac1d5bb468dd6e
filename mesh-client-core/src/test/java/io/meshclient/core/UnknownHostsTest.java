package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.UnknownServiceException;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.UnknownHosts;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A single-label host that is not a mesh service ({@code reviewz}) is a typo far more often than a real
 * host: refused before any I/O (no DNS lookup) unless {@code mesh.unknown-hosts: pass-through}.
 */
@Timeout(30)
class UnknownHostsTest {
  private final List<String> lookups = new CopyOnWriteArrayList<>();
  private Backend backend;
  private Mesh mesh;

  @BeforeEach
  void start() throws IOException {
    backend = new Backend("backend");
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    backend.close();
  }

  private OkHttpClient mesh(UnknownHosts policy) {
    OkHttpClient base = new OkHttpClient.Builder().dns(host -> {
      lookups.add(host);
      return List.of(InetAddress.getByName("127.0.0.1"));
    }).build();
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(backend.instance("reviews", Map.of())));
    mesh = Mesh.builder().okHttpClient(base).discovery("memory", discovery)
        .config(MeshConfig.builder().service(ServiceConfig.builder("reviews").build()).unknownHosts(policy).build())
        .build();
    return mesh.httpClient();
  }

  private static String get(OkHttpClient client, String url) throws IOException {
    try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return response.body().string();
    }
  }

  @Test
  void aMistypedServiceIsRefusedBeforeAnyLookupWithASuggestion() {
    OkHttpClient client = mesh(UnknownHosts.REFUSE);

    assertThatThrownBy(() -> get(client, "http://reviewz/api/1"))
        .isInstanceOf(UnknownServiceException.class)
        .hasMessage("GET http://reviewz/... refused: 'reviewz' is not a mesh service (a single-label host that is not one"
            + " is refused unless mesh.unknown-hosts is pass-through); did you mean 'reviews'?");
    assertThatThrownBy(() -> get(client, "http://inventory:8080/"))
        .isInstanceOf(UnknownServiceException.class)
        .hasMessage("GET http://inventory:8080/... refused: 'inventory' is not a mesh service (a single-label host"
            + " that is not one is refused unless mesh.unknown-hosts is pass-through)");
    assertThat(lookups).isEmpty();
    assertThat(backend.requests()).isZero();
  }

  @Test
  void localhostIpLiteralsAndDottedNamesPassThrough() throws IOException {
    OkHttpClient client = mesh(UnknownHosts.REFUSE);

    assertThat(get(client, "http://localhost:" + backend.port() + "/")).isEqualTo("backend");
    assertThat(get(client, "http://127.0.0.1:" + backend.port() + "/")).isEqualTo("backend");
    assertThat(get(client, "http://backend.example.test:" + backend.port() + "/")).isEqualTo("backend");
    assertThat(get(client, "http://reviews/")).isEqualTo("backend");
    assertThat(lookups).contains("backend.example.test");
  }

  @Test
  void aNameWrittenAbsoluteWithATrailingDotIsTheSameName() throws IOException {
    OkHttpClient client = mesh(UnknownHosts.REFUSE);
    mesh.runtime().callableByClusterNames("default", "cluster.local"); // as reading Istio files does

    assertThat(get(client, "http://reviews./")).isEqualTo("backend");
    assertThat(get(client, "http://reviews.default.svc.cluster.local./")).isEqualTo("backend");
    assertThat(mesh.handles("reviews.")).isTrue();
    assertThatThrownBy(() -> get(client, "http://reviewz./api/1"))
        .isInstanceOf(UnknownServiceException.class)
        .hasMessageContaining("'reviewz.' is not a mesh service (a single-label host");
    assertThatThrownBy(() -> get(client, "http://ratings.default.svc.cluster.local./"))
        .isInstanceOf(UnknownServiceException.class);
    assertThat(lookups).isEmpty();
    assertThat(backend.requests()).isEqualTo(2);
  }

  @Test
  void passThroughHandsUnknownSingleLabelHostsToDns() throws IOException {
    OkHttpClient client = mesh(UnknownHosts.PASS_THROUGH);

    assertThat(get(client, "http://reviewz:" + backend.port() + "/")).isEqualTo("backend");
    assertThat(lookups).containsExactly("reviewz");
  }

  @Test
  void theKeyIsReadFromConfigurationAndAnUnknownValueIsRefusedNamingIt() {
    assertThat(MeshConfig.fromYaml("mesh: { unknown-hosts: pass-through }", name -> null).unknownHosts())
        .isEqualTo(UnknownHosts.PASS_THROUGH);
    assertThat(MeshConfig.fromYaml("mesh: { services: {} }", name -> null).unknownHosts())
        .isEqualTo(UnknownHosts.REFUSE);
    assertThatThrownBy(() -> MeshConfig.fromYaml("mesh: { unknown-hosts: allow }", name -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.unknown-hosts: allow (expected: pass-through or refuse)");
  }
}
