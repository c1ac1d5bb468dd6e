package io.meshclient.spring.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.autoconfigure.MeshEndpointAutoConfiguration;
import io.meshclient.spring.boot.autoconfigure.MeshHealthAutoConfiguration;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Health goes DOWN for a service without instances; the endpoint never shows secrets. */
class MeshHealthAndEndpointTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshEndpointAutoConfiguration.class,
          MeshHealthAutoConfiguration.class))
      .withPropertyValues("mesh.discovery.static.services.details[0].url=http://127.0.0.1:9");

  @Test
  void aConfiguredServiceThatTheStaticListLacksFailsStartUp() {
    // issue 14: an authoritative list (static) without a configured service is a typo, refused at start-up;
    // health DOWN is for registries that list nothing up front (Consul), whose instances may come later
    runner.withPropertyValues("mesh.services.ratings.timeout=1s", "mesh.services.details.timeout=1s")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("mesh.services.ratings: ratings (expected: a service that discovery 'static' lists"));
  }

  @Test
  void healthNamesRoutedSubsetsThatHaveNoInstance() {
    runner.withPropertyValues("mesh.services.details.subsets.v9.version=v9",
            "mesh.services.details.routes[0].to=v9")
        .run(context -> {
          Health health = context.getBean(MeshHealthIndicator.class).health(true);
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails()).containsEntry("subsetsWithoutInstances", List.of("details/v9"));
        });
  }

  @Test
  void endpointIsOnlyCreatedWhenExposedAndMasksCredentialHeaderValues() {
    runner.withPropertyValues("mesh.services.details.subsets.v1.version=v1",
            "mesh.services.details.routes[0].match.headers.authorization.exact=Bearer s3cr3t",
            "mesh.services.details.routes[0].to=v1")
        .run(context -> assertThat(context).doesNotHaveBean(MeshEndpoint.class).doesNotHaveBean(MeshDecisionLog.class));
    runner.withPropertyValues("management.endpoints.web.exposure.include=mesh",
            "mesh.services.details.subsets.v1.version=v1",
            "mesh.services.details.routes[0].match.headers.authorization.exact=Bearer s3cr3t",
            "mesh.services.details.routes[0].to=v1")
        .run(context -> {
          MeshEndpoint.MeshDescriptor mesh = context.getBean(MeshEndpoint.class).mesh();
          assertThat(mesh.toString()).doesNotContain("s3cr3t");
          assertThat(mesh.services().get("details").routes().get(0).match())
              .isEqualTo(Map.of("headers", Map.of("authorization", "exact:******")));
          assertThat(context.getBean(MeshEndpoint.class).decisions("anything-else")).isNull();
          assertThat(context.getBean(Mesh.class)).isNotNull();
        });
  }
}
