package io.meshclient.core.config;

import static io.meshclient.core.config.ConfigValidationTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decimal settings take numbers as YAML writes them: Java's own spellings ({@code 5d}, {@code 0x1p2}),
 * NaN and infinities are refused naming the key, where {@code Double.parseDouble} would take them.
 */
class NumberSpellingTest {
  @ParameterizedTest
  @ValueSource(strings = {"5d", "5f", "0x1p2", "NaN", "Infinity", "-Infinity"})
  void everyDecimalSettingRefusesJavaSpellingsNanAndInfinity(String bad) {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              slow-start: { window: 30s, aggression: "%1$s", min-weight-percent: "%1$s" }
              routes:
                - to: { service: reviews }
                  hedge: { after: "p9%1$s" }
                  mirror: { service: reviews, percent: "%1$s" }
                  fault:
                    delay: { duration: 10ms, percent: "%1$s" }
                    abort: { status: 503, percent: "%1$s%%" }
        """.formatted(bad))).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).startsWith("mesh.services.reviews.slow-start.aggression: " + bad + " "))
        .anySatisfy(p -> assertThat(p).startsWith("mesh.services.reviews.slow-start.min-weight-percent: " + bad + " "))
        .anySatisfy(p -> assertThat(p).startsWith("mesh.services.reviews.routes[0].hedge.after: p9" + bad + " "))
        .anySatisfy(p -> assertThat(p).startsWith("mesh.services.reviews.routes[0].mirror.percent: " + bad + " "))
        .anySatisfy(p -> assertThat(p).startsWith("mesh.services.reviews.routes[0].fault.delay.percent: " + bad + " "))
        .anySatisfy(p -> assertThat(p).startsWith("mesh.services.reviews.routes[0].fault.abort.percent: ")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5", "1e0", "+2"})
  void decimalsAsYamlWritesThemAreTaken(String good) throws Exception {
    MeshConfig config = yaml("""
        mesh:
          services:
            reviews:
              slow-start: { window: 30s, aggression: "%1$s" }
              routes:
                - to: { service: reviews }
                  mirror: { service: reviews, percent: "%1$s" }
                  fault:
                    abort: { status: 503, percent: "%1$s%%" }
        """.formatted(good));
    double expected = new java.math.BigDecimal(good).doubleValue();
    assertThat(config.service("reviews").slowStart().aggression()).isEqualTo(expected);
    assertThat(config.service("reviews").routes().get(0).mirror().percent()).isEqualTo(expected);
    assertThat(config.service("reviews").routes().get(0).fault().abortPercent()).isEqualTo(expected);
  }
}
