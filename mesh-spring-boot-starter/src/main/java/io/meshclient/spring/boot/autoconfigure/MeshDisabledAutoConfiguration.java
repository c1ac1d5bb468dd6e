package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.spring.boot.client.MeshClientFactory;
import io.meshclient.spring.boot.client.ReactiveMeshClients;
import io.meshclient.spring.boot.client.WebClientMeshClients;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.converter.autoconfigure.ClientHttpMessageConvertersCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer;

/**
 * The kill switch: with {@code mesh.enabled=false} there is no mesh, but the application's {@code
 * @MeshClient} beans still exist and call {@code mesh.services.<service>.fallback-url}, or else {@code
 * http://<service>}, directly, through the application's own {@code RestClient.Builder} (or {@code
 * WebClient.Builder}) and its request factory, as a client without load balancing would. Says so once,
 * at INFO.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@Conditional(MeshSwitch.MeshOff.class)
@Import(AutoConfiguredMeshClientsRegistrar.class)
public class MeshDisabledAutoConfiguration {
  private static final Log log = LogFactory.getLog(MeshDisabledAutoConfiguration.class);

  /** {@code @MeshClient} implementations calling each service's fallback URL without a mesh. */
  @Bean
  @ConditionalOnMissingBean
  public MeshClientFactory meshClientFactory(ObjectProvider<RestClient.Builder> builders,
      ObjectProvider<ClientHttpMessageConvertersCustomizer> converters, ObjectProvider<ReactiveMeshClients> reactive,
      Environment environment) {
    log.info("mesh.enabled=false: the mesh is off; @MeshClient interfaces call mesh.services.<service>.fallback-url "
        + "or http://<service> directly, with no routing, limits or breakers");
    return MeshClientFactory.withoutMesh(() -> builders.getIfAvailable(
        () -> MeshAutoConfiguration.plainRestClientBuilder(converters.orderedStream().toList())),
        reactive.getIfAvailable(), service -> fallbackUrl(environment, service));
  }

  /**
   * HTTP service groups named after a configured mesh service keep a base URL with the mesh off: the
   * service's fallback URL, or {@code http://<service>}, unless {@code spring.http.serviceclient.<group>.base-url}
   * is set. Without this a group would send relative URLs ({@code /reviews/1}) to nowhere.
   */
  @Bean
  @ConditionalOnClass(name = "org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer")
  org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer meshDisabledServiceGroups(
      Environment environment) {
    java.util.Set<String> services = configuredServices(environment);
    return new DisabledServiceGroups(services, environment);
  }

  /** The service names under {@code mesh.services} and {@code mesh.discovery.static.services}. */
  static java.util.Set<String> configuredServices(Environment environment) {
    org.springframework.boot.context.properties.bind.Binder binder =
        org.springframework.boot.context.properties.bind.Binder.get(environment);
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String prefix : List.of("mesh.services", "mesh.discovery.static.services")) {
      binder.bind(prefix, org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class, Object.class))
          .ifBound(map -> out.addAll(map.keySet()));
    }
    return out;
  }

  /**
   * Gives each group named after a mesh service its fallback URL as base URL, unless {@code
   * spring.http.serviceclient.<group>.base-url} is set; after Boot's property-based configurer.
   *
   * @param <B> the groups' client builder
   */
  abstract static class FallbackUrlGroups<B> implements org.springframework.core.Ordered {
    private final java.util.Set<String> services;
    private final Environment environment;
    private final java.util.function.BiConsumer<B, String> baseUrl;

    FallbackUrlGroups(java.util.Set<String> services, Environment environment,
        java.util.function.BiConsumer<B, String> baseUrl) {
      this.services = services;
      this.environment = environment;
      this.baseUrl = baseUrl;
    }

    public void configureGroups(HttpServiceGroupConfigurer.Groups<B> groups) {
      groups.filter(group -> services.contains(group.name())).forEachClient((group, builder) -> {
        if (!environment.containsProperty("spring.http.serviceclient." + group.name() + ".base-url")) {
          baseUrl.accept(builder, fallbackUrl(environment, group.name()));
        }
      });
    }

    @Override
    public int getOrder() {
      return io.meshclient.spring.boot.client.MeshHttpServiceGroupConfigurer.ORDER;
    }
  }

  /** {@code REST_CLIENT} groups. */
  static final class DisabledServiceGroups extends FallbackUrlGroups<RestClient.Builder>
      implements org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer {
    DisabledServiceGroups(java.util.Set<String> services, Environment environment) {
      super(services, environment, RestClient.Builder::baseUrl);
    }
  }

  /** {@code mesh.services.<service>.fallback-url}, or {@code http://<service>}. */
  static String fallbackUrl(Environment environment, String service) {
    return io.meshclient.spring.boot.MeshConfigBinder.fallbackUrl(environment, service);
  }

  /** Reactive {@code @MeshClient} interfaces on the application's {@code WebClient.Builder}, untouched. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.web.reactive.function.client.WebClient")
  static class Reactive {
    @Bean
    @ConditionalOnMissingBean
    ReactiveMeshClients meshReactiveClients(ObjectProvider<WebClient.Builder> builders) {
      return new WebClientMeshClients(() -> builders.getIfAvailable(WebClient::builder), null);
    }

    /** Reactive HTTP service groups named after a mesh service keep a base URL too, as the blocking ones do. */
    @Bean
    @ConditionalOnClass(name = "org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer")
    WebClientHttpServiceGroupConfigurer meshDisabledReactiveServiceGroups(Environment environment) {
      return new DisabledReactiveServiceGroups(configuredServices(environment), environment);
    }
  }

  /** {@code WEB_CLIENT} groups. */
  static final class DisabledReactiveServiceGroups extends FallbackUrlGroups<WebClient.Builder>
      implements WebClientHttpServiceGroupConfigurer {
    DisabledReactiveServiceGroups(java.util.Set<String> services, Environment environment) {
      super(services, environment, WebClient.Builder::baseUrl);
    }
  }
}
