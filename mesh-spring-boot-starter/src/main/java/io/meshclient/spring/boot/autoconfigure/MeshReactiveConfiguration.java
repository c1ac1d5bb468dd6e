package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.client.MeshClientHttpConnector;
import io.meshclient.spring.boot.client.MeshRefusalFilter;
import io.meshclient.spring.boot.client.MeshRoutingClientHttpConnector;
import io.meshclient.spring.boot.client.MeshWebClientHttpServiceGroupConfigurer;
import io.meshclient.spring.boot.client.ReactiveMeshClients;
import io.meshclient.spring.boot.client.WebClientMeshClients;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * WebClient through the mesh, when the application has WebFlux: {@code @MeshClient} interfaces with
 * {@code Publisher} return types, reactive HTTP service groups named after a mesh service, and every
 * {@link ClientHttpConnector} bean (the one Boot's {@code WebClient.Builder} uses) wrapped so that mesh
 * hosts go through the mesh and other hosts through that connector, untouched. The mesh's own connector
 * is deliberately not a {@code ClientHttpConnector} bean, which would make Boot's back off. Every
 * {@code ClientHttpConnectorBuilder} bean is wrapped likewise, so the connectors it builds route too.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.web.reactive.function.client.WebClient")
class MeshReactiveConfiguration {

  /** Builds the {@code @MeshClient} interfaces that return {@code Mono} or {@code Flux}. */
  @Bean
  @ConditionalOnMissingBean
  ReactiveMeshClients meshReactiveClients(ObjectProvider<WebClient.Builder> builders, Mesh mesh) {
    return new WebClientMeshClients(() -> builders.getIfAvailable(WebClient::builder), new MeshClientHttpConnector(mesh));
  }

  /** Gives reactive HTTP service groups named after a mesh service the mesh's connector and base URL. */
  @Bean
  @ConditionalOnMissingBean
  MeshWebClientHttpServiceGroupConfigurer meshWebClientHttpServiceGroupConfigurer(Mesh mesh, Environment env) {
    return new MeshWebClientHttpServiceGroupConfigurer(mesh, new MeshClientHttpConnector(mesh), env);
  }

  /** Wraps each {@link ClientHttpConnector} bean in the mesh's per-host routing. */
  @Bean
  @ConditionalOnMissingBean(name = "meshClientHttpConnectorPostProcessor", search = SearchStrategy.CURRENT)
  static BeanPostProcessor meshClientHttpConnectorPostProcessor(ObjectProvider<Mesh> meshes) {
    SingletonSupplier<Mesh> mesh = SingletonSupplier.of(meshes::getObject);
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof ClientHttpConnector connector && !(bean instanceof MeshRoutingClientHttpConnector)
            && !(bean instanceof MeshClientHttpConnector)) {
          return new MeshRoutingClientHttpConnector(mesh, () -> connector);
        }
        return bean;
      }
    };
  }

  /**
   * Every connector Boot's {@code ClientHttpConnectorBuilder} bean builds (its {@code ClientHttpConnector}
   * bean, {@code WebClientSsl.fromBundle(...)}, the application's own calls) routes through the mesh.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder")
  static class ConnectorBuilderRouting {
    @Bean
    @ConditionalOnMissingBean(name = "meshConnectorBuilderPostProcessor", search = SearchStrategy.CURRENT)
    static BeanPostProcessor meshConnectorBuilderPostProcessor(ObjectProvider<Mesh> mesh) {
      return new MeshConnectorBuilderPostProcessor(mesh);
    }
  }

  /** Boot's {@code WebClient.Builder} reports the mesh's refusals by type, and keeps the mesh. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.webclient.WebClientCustomizer")
  static class BootWebClient {
    @Bean
    @ConditionalOnMissingBean(name = "meshRefusalWebClientCustomizer")
    WebClientCustomizer meshRefusalWebClientCustomizer() {
      return builder -> builder.filter(new MeshRefusalFilter());
    }

    /**
     * Keeps the mesh in Boot's {@code WebClient.Builder} whatever connector a {@code WebClientCustomizer},
     * the application or {@code WebClientSsl} sets on it.
     */
    @Bean
    @ConditionalOnMissingBean(name = "meshWebClientBuilderPostProcessor", search = SearchStrategy.CURRENT)
    static BeanPostProcessor meshWebClientBuilderPostProcessor(ObjectProvider<Mesh> mesh) {
      return new MeshWebClientBuilderPostProcessor(mesh);
    }
  }
}
