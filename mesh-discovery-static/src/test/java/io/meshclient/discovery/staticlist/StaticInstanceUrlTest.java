package io.meshclient.discovery.staticlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.Providers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Instance URLs never echo their user info, and a bad port is a problem naming its key, reported with the rest. */
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
                + "(expected: an http or https URL with a host, such as http://127.0.0.1:9081)"))
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
}
