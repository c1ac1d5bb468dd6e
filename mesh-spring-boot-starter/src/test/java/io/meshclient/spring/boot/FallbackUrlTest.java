package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import io.meshclient.spring.boot.testapp.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code mesh.services.<service>.fallback-url}, the kill switch's URL, is checked at every start-up: it used
 * to be read only once the mesh was off, so a bad one was found in the emergency that turned the mesh off,
 * by every call failing.
 */
class FallbackUrlTest {
  private static final String EXPECTED = " (expected: an http or https base URL with a host, a port from 1 to "
      + "65535 if any, and without user info, query or fragment, such as http://reviews.internal:9080)";

  @Test
  void aBadFallbackUrlFailsAStartUpWithTheMeshOnNamingTheKeyWithoutItsPassword() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withPropertyValues("mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:1",
            "mesh.services.reviews.fallback-url=http://admin:pw0rd@reviews.internal:9080",
            "mesh.services.ratings.fallbackUrl=ratings.internal:9080")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                "mesh.services.reviews.fallback-url: <redacted>@reviews.internal:9080" + EXPECTED,
                "mesh.services.ratings.fallback-url: ratings.internal:9080" + EXPECTED))
            .message().doesNotContain("pw0rd"));
  }

  @Test
  void aBadFallbackUrlFailsAStartUpWithTheMeshOff() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(TestApplication.class)
        .properties("server.port=0", "mesh.enabled=false", "mesh.services.reviews.fallback-url=reviews.internal:9080",
            "test.reviews.v1=x", "test.reviews.v3=x")
        .run().close())
        .rootCause().isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.fallback-url: reviews.internal:9080" + EXPECTED);
  }

  /** A port out of range was accepted, and every call through the kill switch then failed to connect. */
  @Test
  void aFallbackUrlWithAPortOutOfRangeFailsTheStartUp() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withPropertyValues("mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:1",
            "mesh.services.reviews.fallback-url=http://reviews.internal:99999",
            "mesh.services.ratings.fallback-url=http://ratings.internal:0")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                "mesh.services.reviews.fallback-url: http://reviews.internal:99999" + EXPECTED,
                "mesh.services.ratings.fallback-url: http://ratings.internal:0" + EXPECTED)));
  }

  /** With the mesh off nothing else reads mesh.*: a misspelt fallback-url was ignored, calls went to http://reviews. */
  @Test
  void aMisspeltFallbackUrlFailsAStartUpWithTheMeshOff() {
    for (String misspelt : java.util.List.of("fallbak-url", "fallback.url")) {
      assertThatThrownBy(() -> new SpringApplicationBuilder(TestApplication.class)
          .properties("server.port=0", "mesh.enabled=false",
              "mesh.services.reviews." + misspelt + "=http://127.0.0.1:1", "test.reviews.v1=x", "test.reviews.v3=x")
          .run().close())
          .rootCause().isInstanceOf(ConfigurationException.class)
          .hasMessage("mesh.services.reviews." + misspelt + ": unknown key (expected: fallback-url, the base URL that "
              + "calls to reviews go to while mesh.enabled is false)");
    }
  }
}
