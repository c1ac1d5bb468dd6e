package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;

/**
 * A reconfiguration cannot apply {@code mesh.enabled}, {@code mesh.problem-details.enabled} or {@code
 * mesh.istio.*}: they are read when the application starts. A change of them used to be dropped in
 * silence (even {@code mesh.istio.check-every: fast}); now it is refused naming the key, and the
 * configuration in force stays.
 */
class StartUpSettingsRefreshTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
      .withPropertyValues("mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:9",
          "mesh.services.reviews.timeout=2s", "mesh.istio.namespace=prod");

  @Test
  void aChangeOfASettingReadOnlyAtStartUpIsRefusedNamingItAndTheConfigurationInForceStays() {
    runner.run(context -> {
      Mesh mesh = context.getBean(Mesh.class);
      MeshReconfigurer reconfigurer = context.getBean(MeshReconfigurer.class);
      MeshConfig before = mesh.config();
      Map<String, Object> changed = new HashMap<>(Map.of("mesh.services.reviews.timeout", "3s",
          "mesh.enabled", "false", "mesh.istio.check-every", "fast", "mesh.istio.namespace", "staging",
          "mesh.istio.root-namespace", "mesh-root"));
      context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("refreshed", changed));

      assertThatThrownBy(reconfigurer::reconfigure).isInstanceOf(ConfigurationException.class)
          .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
              "mesh.enabled: false (expected: unset, as at start-up; it is read only when the application starts)",
              "mesh.istio.namespace: staging (expected: prod, as at start-up; it is read only when the application starts)",
              "mesh.istio.root-namespace: mesh-root (expected: unset, as at start-up; it is read only when the "
                  + "application starts)",
              "mesh.istio.check-every: fast (expected: unset, as at start-up; it is read only when the application starts)"));
      assertThat(mesh.config()).as("the configuration in force").isSameAs(before);

      changed.put("mesh.services.reviews.timeout", "-1s");
      assertThatThrownBy(reconfigurer::reconfigure).as("the configuration's own problems come first")
          .satisfies(e -> assertThat(((ConfigurationException) e).problems()).hasSize(5).first()
              .isEqualTo("mesh.services.reviews.timeout: -1s (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S)"));

      changed.keySet().retainAll(java.util.Set.of("mesh.services.reviews.timeout"));
      changed.put("mesh.services.reviews.timeout", "3s");
      assertThat(reconfigurer.reconfigure().service("reviews").timeout()).as("a good change applies").hasSeconds(3);
      assertThat(mesh.config().service("reviews").timeout()).hasSeconds(3);
    });
  }
  /** The application's labels (a map) are start-up settings too: a refresh changing them is refused, naming them. */
  @Test
  void aChangeOfTheApplicationsIstioLabelsIsRefused() {
    runner.withPropertyValues("mesh.istio.labels.app=productpage").run(context -> {
      MeshReconfigurer reconfigurer = context.getBean(MeshReconfigurer.class);
      context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("refreshed",
          Map.of("mesh.istio.labels.app", "details")));
      assertThatThrownBy(reconfigurer::reconfigure).isInstanceOf(ConfigurationException.class)
          .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
              "mesh.istio.labels: {app=details} (expected: {app=productpage}, as at start-up; it is read only when "
                  + "the application starts)"));
    });
  }
}
