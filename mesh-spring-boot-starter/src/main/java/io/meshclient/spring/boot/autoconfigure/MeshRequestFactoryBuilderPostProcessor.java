package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.client.MeshRoutingClientHttpRequestFactory;
import java.util.Collection;
import java.util.function.Consumer;
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
 * last step of a request, keeps every interceptor in the chain, whenever it was added. {@code
 * withCustomizer(...)} on the wrapped builder customizes the application's factory, of the type it expects.
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

    /**
     * Customizes the factory the wrapped builder builds, not the mesh's routing around it (Boot's default
     * would hand the customizer the routing factory, and skip a customizer that casts it).
     */
    @Override
    public ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory> withCustomizer(
        Consumer<ClientHttpRequestFactory> customizer) {
      return new MeshRouting(wrapped().withCustomizer(customizer), mesh);
    }

    @Override
    public ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory> withCustomizers(
        Collection<Consumer<ClientHttpRequestFactory>> customizers) {
      return new MeshRouting(wrapped().withCustomizers(customizers), mesh);
    }

    @SuppressWarnings("unchecked") // a Consumer<ClientHttpRequestFactory> accepts the delegate's own type
    private ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory> wrapped() {
      return (ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory>) delegate;
    }
  }
}
