package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.client.MeshRoutingWebClientBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer.Groups;

/**
 * Keeps the mesh in every {@code WebClient.Builder} Boot makes, whatever connector is set on it: each {@link
 * WebClientCustomizer} bean (a customizer that calls {@code clientConnector(...)}; the bean is proxied, and
 * keeps its type and order) and each {@code WebClient.Builder} bean (the application's later calls, {@code
 * WebClientSsl.fromBundle(...)} among them) configure a {@link MeshRoutingWebClientBuilder}: the connector
 * set is used for the hosts the mesh does not manage. The application's {@link
 * WebClientHttpServiceGroupConfigurer} beans are proxied so that the group builders they configure are such
 * views too.
 */
class MeshWebClientBuilderPostProcessor implements BeanPostProcessor {
  private final SingletonSupplier<Mesh> mesh;

  MeshWebClientBuilderPostProcessor(ObjectProvider<Mesh> meshes) {
    this.mesh = SingletonSupplier.of(meshes::getObject);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof WebClientCustomizer && BuilderViewAdvice.wanted(bean)) {
      return BuilderViewAdvice.proxy(bean, WebClient.Builder.class, builder -> view(builder, mesh));
    }
    if (bean instanceof WebClient.Builder builder) {
      return view(builder, mesh);
    }
    if (bean instanceof WebClientHttpServiceGroupConfigurer && BuilderViewAdvice.wanted(bean)) {
      return BuilderViewAdvice.proxy(bean, "configureGroups", Groups.class, this::groupsView);
    }
    return bean;
  }

  @SuppressWarnings({"unchecked", "rawtypes"}) // a WebClientHttpServiceGroupConfigurer's groups hold WebClient.Builders
  private Groups groupsView(Groups groups) {
    return new MeshGroupsView<WebClient.Builder>(groups, builder -> view(builder, mesh));
  }

  private static WebClient.Builder view(WebClient.Builder builder, SingletonSupplier<Mesh> mesh) {
    return builder instanceof MeshRoutingWebClientBuilder ? builder : new MeshRoutingWebClientBuilder(builder, mesh);
  }
}
