package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.actuate.MeshDecisionLog;
import io.meshclient.spring.boot.actuate.MeshEndpoint;
import io.meshclient.spring.boot.actuate.MeshHealthIndicator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code mesh} actuator endpoint with its decision log (only when the endpoint is exposed, so that
 * nothing is recorded otherwise) and the {@code mesh} health indicator.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnBean(Mesh.class)
public class MeshActuatorAutoConfiguration {

  /** The endpoint and the decisions it shows. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  @ConditionalOnAvailableEndpoint(MeshEndpoint.class)
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    MeshDecisionLog meshDecisionLog() {
      return new MeshDecisionLog(MeshDecisionLog.DEFAULT_CAPACITY);
    }

    @Bean
    @ConditionalOnMissingBean
    MeshEndpoint meshEndpoint(Mesh mesh, ObjectProvider<MeshDecisionLog> decisions) {
      return new MeshEndpoint(mesh, decisions.getIfUnique());
    }
  }

  /** {@code management.health.mesh.enabled=false} turns it off. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnEnabledHealthIndicator("mesh")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "meshHealthIndicator")
    MeshHealthIndicator meshHealthIndicator(Mesh mesh) {
      return new MeshHealthIndicator(mesh);
    }
  }
}
