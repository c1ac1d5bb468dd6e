package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.client.MeshRoutingClientHttpConnector;
import java.util.Collection;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.util.function.SingletonSupplier;

/**
 * Wraps the application's {@link ClientHttpConnectorBuilder} bean (Boot's, set by {@code
 * spring.http.clients.reactive.*}, or the application's own), from which Boot builds its {@code
 * ClientHttpConnector} bean and {@code WebClientSsl.fromBundle(...)} its connectors, so that each connector
 * it builds is a {@link MeshRoutingClientHttpConnector}: hosts the mesh manages through the mesh, other hosts
 * through the connector the application chose (with its SSL bundle). {@code withCustomizer(...)} on the
 * wrapped builder customizes the application's connector, of the type it expects.
 */
class MeshConnectorBuilderPostProcessor implements BeanPostProcessor {
  private final SingletonSupplier<Mesh> mesh;

  MeshConnectorBuilderPostProcessor(ObjectProvider<Mesh> meshes) {
    this.mesh = SingletonSupplier.of(meshes::getObject);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof ClientHttpConnectorBuilder<?> builder && !(bean instanceof MeshRouting)) {
      return new MeshRouting(builder, mesh);
    }
    return bean;
  }

  /** Builds what the wrapped builder builds, wrapped in the mesh's routing. */
  private record MeshRouting(ClientHttpConnectorBuilder<?> delegate, SingletonSupplier<Mesh> mesh)
      implements ClientHttpConnectorBuilder<ClientHttpConnector> {
    @Override
    public ClientHttpConnector build(HttpClientSettings settings) {
      return new MeshRoutingClientHttpConnector(mesh, () -> delegate.build(settings));
    }

    /** Customizes the connector the wrapped builder builds (not the mesh's routing around it). */
    @Override
    public ClientHttpConnectorBuilder<ClientHttpConnector> withCustomizer(Consumer<ClientHttpConnector> customizer) {
      return new MeshRouting(wrapped().withCustomizer(customizer), mesh);
    }

    @Override
    public ClientHttpConnectorBuilder<ClientHttpConnector> withCustomizers(
        Collection<Consumer<ClientHttpConnector>> customizers) {
      return new MeshRouting(wrapped().withCustomizers(customizers), mesh);
    }

    @SuppressWarnings("unchecked") // a Consumer<ClientHttpConnector> accepts the delegate's own type
    private ClientHttpConnectorBuilder<ClientHttpConnector> wrapped() {
      return (ClientHttpConnectorBuilder<ClientHttpConnector>) delegate;
    }
  }
}
