package io.meshclient.discovery.staticlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.Providers;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Instance URLs never echo their user info, a bad port is a problem naming its key, reported with the rest, and the
 * builder checks a URL as configuration does.
 */
class StaticInstanceUrlTest {
  private static void create(Map<String, Object> settings) {
    Providers.discovery("static", "mesh.discovery.static", StaticInstanceUrlTest.class.getClassLoader())
        .create(new DiscoveryContext("mesh.discovery.static", settings));
  }

  @Test
  void aPasswordInAnInstanceUrlIsNeverEchoed() {
    assertThatThrownBy(() -> create(Map.of("services", Map.of("reviews", List.of(
        Map.of("url", "http://admin:s3cretP4ss@my_host.internal:8080"))))))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.static.services.reviews[0].url: http://<redacted>@my_host.internal:8080 "
                + "(expected: a URL without user info)"))
        .message().doesNotContain("s3cretP4ss");
  }

  @Test
  void anOutOfRangePortIsNamedWithItsKeyAndKeptWithTheOtherProblems() {
    assertThatThrownBy(() -> create(Map.of("services", Map.of("reviews", List.of(
        Map.of("url", "http://admin:s3cretP4ss@127.0.0.1:99999"),
        Map.of("url", "http://127.0.0.1:8080", "weight", -1))))))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.static.services.reviews[0].url: http://<redacted>@127.0.0.1:99999 "
                + "(expected: a URL without user info)",
            "mesh.discovery.static.services.reviews[0].url: 99999 (expected: a port 1..65535)",
            "mesh.discovery.static.services.reviews[1].weight: -1 (expected: a weight >= 0)"))
        .message().doesNotContain("s3cretP4ss");
  }

  @Test
  void aPathQueryOrFragmentThatWouldBeIgnoredIsRefused() {
    assertThatThrownBy(() -> create(Map.of("services", Map.of("reviews", List.of(
        Map.of("url", "http://127.0.0.1:8080/api/v2"),
        Map.of("url", "http://127.0.0.1:8081?zone=a"),
        Map.of("url", "http://127.0.0.1:8082/#top"),
        Map.of("url", "http://127.0.0.1:8083/"))))))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.static.services.reviews[0].url: http://127.0.0.1:8080/api/v2 "
                + "(expected: a URL without path, query or fragment: each call keeps its own path)",
            "mesh.discovery.static.services.reviews[1].url: http://127.0.0.1:8081?zone=a "
                + "(expected: a URL without path, query or fragment: each call keeps its own path)",
            "mesh.discovery.static.services.reviews[2].url: http://127.0.0.1:8082/#top "
                + "(expected: a URL without path, query or fragment: each call keeps its own path)"));
  }

  @Test
  void theSameHostSpelledInAnotherCaseIsTheSameInstance() {
    assertThatThrownBy(() -> create(Map.of("services", Map.of("reviews", List.of(
        Map.of("url", "http://Reviews.Internal:8080"), Map.of("url", "http://reviews.internal:8080"))))))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.static.services.reviews[1]: reviews.internal:8080 "
                + "(expected: an instance listed once (same id or URL))"));
  }

  /** Docker Compose names services reviews_v1: java.net.URI sees no host there, OkHttp (and so the mesh) calls it. */
  @Test
  void aHostNameWithAnUnderscoreIsCalled() throws Exception {
    try (MockWebServer backend = new MockWebServer()) {
      backend.enqueue(new MockResponse.Builder().body("v1").build());
      backend.start(InetAddress.getByName("127.0.0.1"), 0);
      MeshConfig config = MeshConfig.fromMap(Map.of("mesh", Map.of("discovery", Map.of("static", Map.of("services",
          Map.of("reviews", List.of(Map.of("url", "http://Reviews_V1:" + backend.getPort(), "id", "v1"))))))));
      Dns compose = host -> host.equals("reviews_v1") ? List.of(InetAddress.getByName("127.0.0.1")) : List.of();
      try (Mesh mesh = Mesh.builder().config(config).okHttpClient(new OkHttpClient.Builder().dns(compose).build())
          .build();
          Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/r/1").build())
              .execute()) {
        assertThat(response.body().string()).isEqualTo("v1");
        assertThat(mesh.snapshot().toString()).contains("reviews_v1:" + backend.getPort());
      }
    }
  }

  @Test
  void anIpv6AddressWithoutBracketsIsRefusedSayingSo() {
    assertThatThrownBy(() -> create(Map.of("services", Map.of("reviews", List.of(Map.of("url", "http://::1:9081"))))))
        .hasMessage("mesh.discovery.static.services.reviews[0].url: http://::1:9081 "
            + "(expected: an IPv6 address in brackets, such as http://[::1]:9081)");
  }

  /** The builder used to take port 0 for 80, and any scheme, path or user info, in silence. */
  @Test
  void theBuilderChecksAnInstanceUrlAsConfigurationDoes() {
    StaticServiceDiscovery.Builder builder = StaticServiceDiscovery.builder();

    assertThatThrownBy(() -> builder.instance("reviews", "http://127.0.0.1:0"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("url: 0 (expected: a port 1..65535)");
    assertThatThrownBy(() -> builder.instance("reviews", "ftp://127.0.0.1:21"))
        .hasMessage("url: ftp://127.0.0.1:21 (expected: an http or https URL with a host, such as http://127.0.0.1:9081)");
    assertThatThrownBy(() -> builder.instance("reviews", "http://127.0.0.1:9081/api"))
        .hasMessage("url: http://127.0.0.1:9081/api (expected: a URL without path, query or fragment: each call keeps "
            + "its own path)");
    assertThatThrownBy(() -> builder.instance("reviews", "http://admin:s3cretP4ss@127.0.0.1:9081"))
        .hasMessage("url: http://<redacted>@127.0.0.1:9081 (expected: a URL without user info)");
    assertThat(builder.instance("reviews", "HTTPS://Reviews.Internal").build().services().get("reviews"))
        .containsExactly(new ServiceInstance("reviews.internal:443", "reviews", "reviews.internal", 443, true, 1,
            Map.of(), ""));
  }
}
