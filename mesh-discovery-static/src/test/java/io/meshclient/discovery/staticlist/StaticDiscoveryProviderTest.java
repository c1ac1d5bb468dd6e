package io.meshclient.discovery.staticlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.Providers;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticDiscoveryProviderTest {
  private static final ClassLoader LOADER = StaticDiscoveryProviderTest.class.getClassLoader();

  private static ServiceDiscovery create(Map<String, Object> settings) {
    return Providers.discovery("static", "mesh.discovery.static", LOADER)
        .create(new DiscoveryContext("mesh.discovery.static", settings));
  }

  @Test
  void providerIsFoundByNameAndReadsUrlsWeightsAndMetadata() {
    ServiceDiscovery discovery = create(Map.of("services", Map.of("reviews", List.of(
        Map.of("url", "http://127.0.0.1:9081", "metadata", Map.of("version", "v1")),
        Map.of("url", "https://[::1]:9443", "weight", 3, "zone", "a", "id", "r2")))));
    List<ServiceInstance> seen = new ArrayList<>();
    discovery.watch("reviews", seen::addAll);
    assertThat(seen).containsExactly(
        new ServiceInstance("127.0.0.1:9081", "reviews", "127.0.0.1", 9081, false, 1, Map.of("version", "v1"), ""),
        new ServiceInstance("r2", "reviews", "::1", 9443, true, 3, Map.of(), "a"));
    assertThat(discovery.knownServices()).containsExactly("reviews");
  }

  @Test
  void malformedUrlIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> create(Map.of("services", Map.of("reviews", List.of(Map.of("url", "htp:/nohost"))))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.discovery.static.services.reviews[0].url: htp:/nohost "
            + "(expected: an http or https URL with a host, such as http://127.0.0.1:9081)");
  }

  @Test
  void negativeWeightAndUnknownKeysAreRefusedTogether() {
    assertThatThrownBy(() -> create(Map.of("services", Map.of("reviews", List.of(
        Map.of("url", "http://127.0.0.1:1", "weight", -2),
        Map.of("url", "http://127.0.0.1:2", "wieght", 2))))))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.static.services.reviews[0].weight: -2 (expected: a weight >= 0)",
            "mesh.discovery.static.services.reviews[1].wieght: unknown key (expected: one of [id, metadata, url, weight, zone]; "
                + "did you mean 'weight'?)"));
  }

  @Test
  void aMisspeltKeySaysWhichKeyWasMeantAsTheMeshsOwnKeysDo() {
    assertThatThrownBy(() -> create(Map.of("service", Map.of("reviews", List.of(Map.of("url", "http://127.0.0.1:1"))))))
        .hasMessage("mesh.discovery.static.service: unknown key (expected: one of [services]; did you mean 'services'?)");
    assertThatThrownBy(() -> create(Map.of("services", Map.of("reviews", List.of(Map.of("uri", "http://127.0.0.1:1"))))))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.static.services.reviews[0].uri: unknown key (expected: one of [id, metadata, url, weight, zone]; "
                + "did you mean 'url'?)",
            "mesh.discovery.static.services.reviews[0].url: missing (expected: an http or https URL with a host, such as "
                + "http://127.0.0.1:9081)"));
  }

  @Test
  void theSameInstanceListedTwiceIsRefused() {
    assertThatThrownBy(() -> create(Map.of("services", Map.of("reviews", List.of(
        Map.of("url", "http://127.0.0.1:1"), Map.of("url", "http://127.0.0.1:1"))))))
        .hasMessage("mesh.discovery.static.services.reviews[1]: 127.0.0.1:1 (expected: an instance listed once (same id or URL))");
  }

  @Test
  void meshBuiltFromAYamlFileCallsTheListedInstancesByWeight(@TempDir Path dir) throws Exception {
    try (MockWebServer a = server("a"); MockWebServer b = server("b")) {
      Path yaml = dir.resolve("mesh.yaml");
      Files.writeString(yaml, """
          mesh:
            discovery:
              static:
                services:
                  catalog:
                    - { url: "http://127.0.0.1:%d", weight: 1 }
                    - { url: "http://127.0.0.1:%d", weight: 3 }
            services:
              catalog: { load-balancer: weighted-round-robin }
          """.formatted(a.getPort(), b.getPort()));
      try (Mesh mesh = Mesh.fromFile(yaml)) {
        int[] counts = new int[2];
        for (int i = 0; i < 40; i++) {
          try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://catalog/x").build())
              .execute()) {
            counts[response.body().string().equals("a") ? 0 : 1]++;
          }
        }
        assertThat(counts).containsExactly(10, 30);
        assertThat(a.getRequestCount()).isEqualTo(10);
        assertThat(b.getRequestCount()).isEqualTo(30);
      }
    }
  }

  @Test
  void servicesListedOnlyInStaticDiscoveryAreRoutedWithDefaults() throws Exception {
    try (MockWebServer a = server("a")) {
      MeshConfig config = MeshConfig.fromMap(Map.of("mesh", Map.of("discovery", Map.of("static", Map.of("services",
          Map.of("details", List.of(Map.of("url", "http://127.0.0.1:" + a.getPort()))))))));
      try (Mesh mesh = Mesh.builder().config(config).build();
          Response response = mesh.httpClient().newCall(new Request.Builder().url("http://details/1").build()).execute()) {
        assertThat(response.body().string()).isEqualTo("a");
      }
    }
  }

  private static MockWebServer server(String name) throws IOException {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().body(name).build();
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    return server;
  }
}
