package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Durations in application properties are read as the README writes them ({@code 300ms}, {@code 2s}, {@code
 * PT2S}), by the mesh's reader (every {@code mesh.*} duration) and for {@code mesh.istio.check-every}, which
 * Spring bound: {@code 10 s}, which Spring Boot's own conversion refuses, is refused by both, naming the key.
 */
class DurationPropertiesTest {
  private static final String NO_SPACE = "(expected: a duration such as 300ms, 2s, 5m, 1h or PT2S, with no space "
      + "between the number and the unit)";

  @TempDir
  Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
      .withPropertyValues("mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:9");

  @Test
  void springsOwnConversionRefusesASpaceBeforeTheUnit() {
    Binder binder = new Binder(new MapConfigurationPropertySource(Map.of("spaced", "10 s", "tight", "10s")));
    assertThat(binder.bind("tight", Duration.class).get()).hasSeconds(10);
    assertThatThrownBy(() -> binder.bind("spaced", Duration.class)).isInstanceOf(BindException.class);
  }

  @Test
  void aMeshDurationWithASpaceBeforeItsUnitIsRefusedNamingTheKey() {
    runner.withPropertyValues("mesh.services.reviews.timeout=10 s").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause().isInstanceOf(ConfigurationException.class)
            .hasMessage("mesh.services.reviews.timeout: 10 s " + NO_SPACE));
    runner.withPropertyValues("mesh.services.reviews.timeout=10s").run(context ->
        assertThat(context.getBean(Mesh.class).config().service("reviews").timeout()).hasSeconds(10));
  }

  /** Spring's conversion took 10S, and 10 as milliseconds, where every other mesh duration refuses them. */
  @Test
  void theIstioCheckPeriodIsReadAsEveryMeshDuration() throws Exception {
    Path file = Files.writeString(dir.resolve("empty.yaml"), "");
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.check-every=10 s").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause().isInstanceOf(ConfigurationException.class)
            .hasMessage("mesh.istio.check-every: 10 s " + NO_SPACE));
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.check-every=500").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause().isInstanceOf(ConfigurationException.class)
            .hasMessage("mesh.istio.check-every: 500 (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S)"));
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.check-every=2s").run(context ->
        assertThat(context).hasNotFailed());
  }
}
