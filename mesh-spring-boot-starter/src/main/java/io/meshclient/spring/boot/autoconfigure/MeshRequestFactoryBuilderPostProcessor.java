package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.client.MeshRoutingClientHttpRequestFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.util.function.SingletonSupplier;

/**
 * Wraps the application's {@link ClientHttpRequestFactoryBuilder} bean, from which Boot builds the
 * request factory of every {@code RestClient.Builder}, {@code RestTemplateBuilder} and HTTP service
 * group, so that each factory it builds is a {@link MeshRoutingClientHttpRequestFactory}: mesh hosts
 * through the mesh, other hosts through the factory the application chose. Routing at the factory, the
 * last step of a request, keeps every interceptor in the chain, whenever it was added.
 */
class MeshRequestFactoryBuilderPostProcessor implements BeanPostProcessor {
  private final SingletonSupplier<Mesh> mesh;

  MeshRequestFactoryBuilderPostProcessor(ObjectProvider<Mesh> meshes) {
    this.mesh = SingletonSupplier.of(meshes::getObject);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof ClientHttpRequestFactoryBuilder<?> builder && !(bean instanceof MeshRouting)) {
      return new MeshRouting(builder, mesh);
    }
    return bean;
  }

  /** Builds what the wrapped builder builds, wrapped in the mesh's routing. */
  private record MeshRouting(ClientHttpRequestFactoryBuilder<?> delegate, SingletonSupplier<Mesh> mesh)
      implements ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory> {
    @Override
    public ClientHttpRequestFactory build(HttpClientSettings settings) {
      return new MeshRoutingClientHttpRequestFactory(mesh, () -> delegate.build(settings));
    }
  }
}
