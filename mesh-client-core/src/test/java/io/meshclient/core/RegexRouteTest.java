package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.StringMatch;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Route regexes see end-user input (header values, paths), so they run in linear time (RE2) and match
 * the whole value, as Envoy's {@code safe_regex}; patterns only a backtracking engine can run are
 * refused when the configuration is built.
 */
@Timeout(30)
class RegexRouteTest {
  private Backend v1;
  private Backend v2;
  private Mesh mesh;

  @BeforeEach
  void start() throws IOException {
    v1 = new Backend("v1");
    v2 = new Backend("v2");
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    v1.close();
    v2.close();
  }

  private void meshWithHeaderRegex(String regex) {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        v1.instance("reviews", Map.of("version", "v1")), v2.instance("reviews", Map.of("version", "v2"))));
    ServiceConfig reviews = ServiceConfig.builder("reviews")
        .subset("v1", Map.of("version", "v1"))
        .subset("v2", Map.of("version", "v2"))
        .route(RouteConfig.to(RouteConfig.Match.header("x-version", StringMatch.regex(regex)), "v2"))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "v1"))
        .build();
    mesh = Mesh.builder().config(MeshConfig.builder().service(reviews).build()).discovery("memory", discovery).build();
  }

  private String get(String version) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/r")
        .header("x-version", version).build()).execute()) {
      return response.body().string();
    }
  }

  @Test
  void aTenKilobyteHeaderOnANestedQuantifierIsMatchedInLinearTime() throws IOException {
    meshWithHeaderRegex("v[0-9]+(\\.[0-9]+)*");
    String longVersion = "v1" + ".1".repeat(5000);

    long start = System.nanoTime();
    assertThat(get(longVersion)).isEqualTo("v2");
    assertThat(get(longVersion + "x")).isEqualTo("v1");
    assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
  }

  @Test
  void aRegexMatchesTheWholeValueOnly() throws IOException {
    meshWithHeaderRegex("v2");

    assertThat(get("v2")).isEqualTo("v2");
    assertThat(get("v22")).isEqualTo("v1");
    assertThat(get("xv2")).isEqualTo("v1");
  }

  /** Builds a configuration whose only route matches with {@code match}, expecting it refused. */
  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> refused(String match) {
    return assertThatThrownBy(() -> MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets: { v2: { version: v2 } }
              routes:
                - { match: %s, to: v2 }
        """.formatted(match), name -> null)).isInstanceOf(ConfigurationException.class);
  }

  @Test
  void backreferencesAreRefusedNamingTheKey() {
    refused("{ headers: { x-tag: { regex: \"(a+)\\\\1\" } } }")
        .hasMessage("mesh.services.reviews.routes[0].match.headers.x-tag.regex: (a+)\\1 (expected: an RE2 regular"
            + " expression (linear time, matched against the whole value); backreferences (\\1) are not supported)");
  }

  @Test
  void lookaroundIsRefusedNamingTheKey() {
    refused("{ path: { regex: \"/api/(?!admin).*\" } }")
        .hasMessage("mesh.services.reviews.routes[0].match.path.regex: /api/(?!admin).* (expected: an RE2 regular"
            + " expression (linear time, matched against the whole value); lookaround assertions ((?!) are not"
            + " supported)");
  }

  @Test
  void groupsNestedDeeperThanRe2TakesAreRefusedNotAStackOverflow() {
    String deep = "(".repeat(5_000) + "a" + ")".repeat(5_000);
    refused("{ path: { regex: \"/" + deep + "\" } }")
        .hasMessageEndingWith(" (expected: an RE2 regular expression (linear time, matched against the whole value); "
            + "groups nested more than 1000 deep are not supported)");
  }
}
