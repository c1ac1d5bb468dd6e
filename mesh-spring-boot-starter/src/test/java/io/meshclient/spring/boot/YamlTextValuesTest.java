package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Values the mesh compares as text, written in a real application.yml. Spring reads {@code 1.10} unquoted as the
 * number 1.1: a route matching {@code x-api-version: 1.10} matched only "1.1", its calls went on to the next route,
 * and its subset selected no instance; and {@code end-user:} with nothing after it as the empty text, a match no
 * call with the header fits. Either stops the start-up naming the key.
 */
class YamlTextValuesTest {
  private static final String QUOTE_IT = " (expected: text, quoted in YAML: unquoted, 1.10 is read as the number 1.1)";

  @TempDir
  Path config;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @Test
  void aHeaderMatchOrLabelWrittenAsANumberWithAFractionFailsTheStartUpNamingTheKey() throws IOException {
    Files.writeString(config.resolve("application.yml"), """
        mesh:
          discovery.static.services.reviews:
            - { url: "http://127.0.0.1:9081", metadata: { version: "1.10" } }
            - { url: "http://127.0.0.1:9082", metadata: { version: 1.20 } }
          services:
            reviews:
              subsets: { v110: { version: 1.10 }, v2: { version: 2 } }
              routes:
                - match: { headers: { x-api-version: { exact: 1.10 } } }
                  to: v110
                - to: v2
        """);

    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.config.location=file:" + config + "/").run().close())
        .rootCause().isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.subsets.v110.version: 1.1" + QUOTE_IT,
            "mesh.services.reviews.routes[0].match.headers.x-api-version.exact: 1.1" + QUOTE_IT,
            "mesh.discovery.static.services.reviews[1].metadata.version: 1.2" + QUOTE_IT));
  }

  @Test
  void aHeaderMatchWithNothingAfterItsNameFailsTheStartUpNamingTheKey() throws IOException {
    Files.writeString(config.resolve("application.yml"), """
        mesh:
          discovery.static.services.reviews: [ { url: "http://127.0.0.1:9081" } ]
          services:
            reviews:
              routes:
                - match: { headers: { end-user: } }
                  to: { service: reviews }
        """);

    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.config.location=file:" + config + "/").run().close())
        .rootCause().isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.routes[0].match.headers.end-user: missing (expected: a value to match; "
                + "{ exact: \"\" } matches an empty value)"));
  }
}
