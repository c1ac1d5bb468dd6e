package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.actuate.MeshHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code mesh} health indicator; {@code management.health.mesh.enabled=false} turns it off. */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass(name = {
    "org.springframework.boot.health.contributor.HealthIndicator",
    "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator"})
@ConditionalOnBean(Mesh.class)
@ConditionalOnEnabledHealthIndicator("mesh")
public class MeshHealthAutoConfiguration {

  /** DOWN when a configured service has no instance. */
  @Bean
  @ConditionalOnMissingBean(name = "meshHealthIndicator")
  public MeshHealthIndicator meshHealthIndicator(Mesh mesh) {
    return new MeshHealthIndicator(mesh);
  }
}
