package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.actuate.MeshDecisionLog;
import io.meshclient.spring.boot.actuate.MeshEndpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code mesh} actuator endpoint and the decision log it shows, created only when the endpoint is
 * available (exposed), so that no decision is recorded otherwise.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass(name = {
    "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
    "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"})
@ConditionalOnBean(Mesh.class)
@ConditionalOnAvailableEndpoint(MeshEndpoint.class)
public class MeshEndpointAutoConfiguration {

  /** The last {@value MeshDecisionLog#DEFAULT_CAPACITY} routing decisions. */
  @Bean
  @ConditionalOnMissingBean
  public MeshDecisionLog meshDecisionLog() {
    return new MeshDecisionLog(MeshDecisionLog.DEFAULT_CAPACITY);
  }

  /** {@code /actuator/mesh} and {@code /actuator/mesh/decisions}. */
  @Bean
  @ConditionalOnMissingBean
  public MeshEndpoint meshEndpoint(Mesh mesh, ObjectProvider<MeshDecisionLog> decisions) {
    return new MeshEndpoint(mesh, decisions.getIfUnique());
  }
}
