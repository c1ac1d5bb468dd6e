package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.client.MeshRoutingRestClientBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientBuilderConfigurer;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer.Groups;

/**
 * Keeps the mesh in every {@code RestClient.Builder} Boot makes, whatever request factory is set on it:
 * Boot's {@link RestClientBuilderConfigurer} (the factory it sets first, and what it returns), each {@link
 * RestClientCustomizer} bean (a customizer that calls {@code requestFactory(...)}; the bean is proxied, and
 * keeps its type and order) and each {@code RestClient.Builder} bean (the application's later calls, {@code
 * RestClientSsl.fromBundle(...)} among them) configure a {@link MeshRoutingRestClientBuilder}: the factory
 * set is used for the hosts the mesh does not manage. Each {@link RestTemplateBuilder} bean gets a last
 * customizer that does the same for the factory its templates are given ({@code requestFactory(...)}, a
 * {@code RestTemplateCustomizer} bean's {@code setRequestFactory(...)}). The application's {@link
 * RestClientHttpServiceGroupConfigurer} beans are proxied so that the group builders they configure are
 * such views too.
 */
class MeshRestClientBuilderPostProcessor implements BeanPostProcessor {
  private final SingletonSupplier<Mesh> mesh;

  MeshRestClientBuilderPostProcessor(ObjectProvider<Mesh> meshes) {
    this.mesh = SingletonSupplier.of(meshes::getObject);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof RestClientBuilderConfigurer configurer && !(bean instanceof MeshRoutingConfigurer)) {
      return new MeshRoutingConfigurer(configurer, mesh);
    }
    if (bean instanceof RestClientCustomizer && BuilderViewAdvice.wanted(bean)) {
      return BuilderViewAdvice.proxy(bean, RestClient.Builder.class, builder -> view(builder, mesh));
    }
    if (bean instanceof RestClient.Builder builder) {
      return view(builder, mesh);
    }
    if (bean instanceof RestClientHttpServiceGroupConfigurer && BuilderViewAdvice.wanted(bean)) {
      return BuilderViewAdvice.proxy(bean, "configureGroups", Groups.class, this::groupsView);
    }
    if (bean instanceof RestTemplateBuilder builder) {
      return builder.additionalCustomizers(new MeshRestTemplateRouting(mesh));
    }
    return bean;
  }

  @SuppressWarnings({"unchecked", "rawtypes"}) // a RestClientHttpServiceGroupConfigurer's groups hold RestClient.Builders
  private Groups groupsView(Groups groups) {
    return new MeshGroupsView<RestClient.Builder>(groups, builder -> view(builder, mesh));
  }

  private static RestClient.Builder view(RestClient.Builder builder, SingletonSupplier<Mesh> mesh) {
    return builder instanceof MeshRoutingRestClientBuilder ? builder : new MeshRoutingRestClientBuilder(builder, mesh);
  }

  /** Boot's configurer, configuring (and returning) a builder that keeps the mesh. */
  static final class MeshRoutingConfigurer extends RestClientBuilderConfigurer {
    private final RestClientBuilderConfigurer delegate;
    private final SingletonSupplier<Mesh> mesh;

    MeshRoutingConfigurer(RestClientBuilderConfigurer delegate, SingletonSupplier<Mesh> mesh) {
      this.delegate = delegate;
      this.mesh = mesh;
    }

    @Override
    public RestClient.Builder configure(RestClient.Builder builder) {
      return delegate.configure(view(builder, mesh));
    }
  }
}
