package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import io.meshclient.spring.boot.autoconfigure.MeshDisabledAutoConfiguration;
import io.meshclient.spring.boot.autoconfigure.MeshRefusalProblemDetails;
import io.meshclient.spring.boot.client.MeshClientFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * {@code mesh.enabled} is read strictly: a value that is not a boolean fails start-up naming the key,
 * instead of turning the mesh off in silence (Boot's {@code @ConditionalOnBooleanProperty} takes any
 * value but {@code true} for {@code false}, and then neither the mesh nor the kill switch was configured:
 * calls to {@code http://reviews} went to DNS).
 */
class MeshSwitchTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshDisabledAutoConfiguration.class))
      .withPropertyValues("mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:1");
  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
      .withPropertyValues("mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:1");

  @Test
  void aMisspelledFalseFailsStartUpNamingTheKeyInsteadOfTurningTheMeshOff() {
    for (String value : new String[] {"flase", "maybe", ""}) {
      runner.withPropertyValues("mesh.enabled=" + value).run(context -> assertThat(context).hasFailed()
          .getFailure().rootCause().isInstanceOf(ConfigurationException.class)
          .hasMessage("mesh.enabled: " + value + " (expected: true or false)"));
    }
  }

  @Test
  void aMisspelledProblemDetailsSwitchFailsStartUpNamingTheKey() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withPropertyValues("mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:1",
            "mesh.problem-details.enabled=ture")
        .run(context -> assertThat(context).hasFailed()
            .getFailure().rootCause().hasMessage("mesh.problem-details.enabled: ture (expected: true or false)"));
  }

  /**
   * Everything under {@code mesh.problem-details} but {@code enabled} was dropped with the starter's keys:
   * a misspelled {@code enable: false} or a bare {@code problem-details: false} left the problem details on
   * in silence.
   */
  @Test
  void aMisspelledOrMisplacedProblemDetailsKeyFailsStartUpNamingTheKey() {
    web.withPropertyValues("mesh.problem-details.enable=false").run(context -> assertThat(context).hasFailed()
        .getFailure().rootCause().isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.problem-details.enable: unknown key (expected: one of [enabled])"));
    web.withPropertyValues("mesh.problem-details=false").run(context -> assertThat(context).hasFailed()
        .getFailure().rootCause().isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.problem-details: false (expected: a block such as { enabled: false })"));
  }

  /**
   * {@code mesh.problemDetails.enabled} and the environment variable {@code MESH_PROBLEMDETAILS_ENABLED} are
   * the switch in Spring's other spellings: the switch obeyed them, but the mesh's reader refused them as
   * unknown keys, so the documented environment variable failed start-up.
   */
  @Test
  void theProblemDetailsSwitchWorksInSpringsOtherSpellingsAndAsAnEnvironmentVariable() {
    web.withPropertyValues("mesh.problemDetails.enabled=false").run(context -> assertThat(context).hasNotFailed()
        .hasSingleBean(Mesh.class).doesNotHaveBean(MeshRefusalProblemDetails.class));
    web.withInitializer(context -> {
      var sources = context.getEnvironment().getPropertySources();
      sources.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
          StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("MESH_PROBLEMDETAILS_ENABLED", "false")));
      ConfigurationPropertySources.attach(context.getEnvironment());
    }).run(context -> assertThat(context).hasNotFailed()
        .hasSingleBean(Mesh.class).doesNotHaveBean(MeshRefusalProblemDetails.class));
  }

  @Test
  void trueAndFalseInAnySpellingSpringTakesStillChooseBetweenTheMeshAndTheKillSwitch() {
    for (String on : new String[] {"true", "TRUE", "on"}) {
      runner.withPropertyValues("mesh.enabled=" + on).run(context -> assertThat(context).hasNotFailed()
          .hasSingleBean(Mesh.class));
    }
    for (String off : new String[] {"false", "False", "off"}) {
      runner.withPropertyValues("mesh.enabled=" + off).run(context -> assertThat(context).hasNotFailed()
          .doesNotHaveBean(Mesh.class).hasSingleBean(MeshClientFactory.class));
    }
    runner.run(context -> assertThat(context).hasSingleBean(Mesh.class));
  }
}
