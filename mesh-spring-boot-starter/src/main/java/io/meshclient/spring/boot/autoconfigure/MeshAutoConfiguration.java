package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.CallListener;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshListener;
import io.meshclient.spring.boot.MeshConfigBinder;
import io.meshclient.spring.boot.MeshReconfigurer;
import io.meshclient.spring.boot.actuate.MeshDecisionLog;
import io.meshclient.spring.boot.client.MeshClientFactory;
import io.meshclient.spring.boot.client.MeshClientHttpRequestFactory;
import io.meshclient.spring.boot.client.MeshHttpServiceGroupConfigurer;
import io.meshclient.spring.boot.client.ReactiveMeshClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.http.converter.autoconfigure.ClientHttpMessageConvertersCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.web.client.RestClient;

/**
 * Creates a {@link Mesh} from the {@code mesh.*} properties and routes Spring's HTTP clients through it:
 * {@code @MeshClient} interfaces, HTTP service groups named after a mesh service, and every request
 * factory Boot builds (so every {@code RestClient.Builder}). The mesh records meters in the
 * application's {@link MeterRegistry} when there is one. Every bean backs off when the application
 * defines its own; {@code mesh.enabled=false} turns all of it off. The bean post-processors that route
 * Spring's clients back off only for one of the same context: a post-processor works on its own context's
 * beans only, so a child context (under a parent that has the mesh) makes its own.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"})
@Conditional(MeshSwitch.MeshOn.class)
@Import({AutoConfiguredMeshClientsRegistrar.class, MeshReactiveConfiguration.class})
public class MeshAutoConfiguration {

  /**
   * The mesh, built from {@code mesh.*}; closed with the context. The context's {@code MeterRegistry} and
   * {@code ObservationRegistry} (when there is exactly one of each) record its meters and observations:
   * with Boot's tracing, each call and each request it sends (retry, hedge, mirror) is a span, and each
   * request carries its own {@code traceparent}.
   *
   * @throws io.meshclient.api.ConfigurationException naming every bad key (start-up fails)
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Mesh mesh(Environment environment, ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<ObservationRegistry> observationRegistry, ObjectProvider<MeshListener> listeners, ObjectProvider<CallListener.Factory> callListeners,
      ObjectProvider<MeshBuilderCustomizer> customizers) {
    MeshBackgroundPreinitializer.awaitWarmUp();
    Mesh.Builder builder = Mesh.builder().config(MeshConfigBinder.bind(environment));
    istio(environment, builder);
    meterRegistry.ifUnique(builder::meterRegistry);
    observationRegistry.ifUnique(builder::observationRegistry);
    List<MeshListener> all = new ArrayList<>(listeners.orderedStream().toList());
    if (!all.isEmpty()) {
      builder.listener(MeshListener.of(all));
    }
    List<CallListener.Factory> perCall = callListeners.orderedStream().toList();
    perCall.forEach(builder::callListenerFactory);
    customizers.orderedStream().forEach(c -> c.customize(builder));
    Mesh mesh = builder.build();
    perCall.forEach(f -> {
      if (f instanceof MeshDecisionLog log) {
        log.attach(mesh);
      }
    });
    return mesh;
  }

  /**
   * {@code mesh.istio.files} (with {@code strict}, {@code namespace}, {@code domain}, {@code root-namespace}, {@code
   * check-every}, {@code labels}):
   * Istio resources laid over the configuration and watched, as {@link Mesh.Builder#istioConfig} does.
   */
  static void istio(Environment environment, Mesh.Builder builder) {
    org.springframework.boot.context.properties.bind.Binder binder =
        org.springframework.boot.context.properties.bind.Binder.get(environment);
    List<String> files = binder.bind("mesh.istio.files",
        org.springframework.boot.context.properties.bind.Bindable.listOf(String.class)).orElse(List.of());
    if (files.isEmpty()) {
      return;
    }
    io.meshclient.core.config.IstioOptions options = io.meshclient.core.config.IstioOptions.DEFAULT
        .withNamespace(binder.bind("mesh.istio.namespace", String.class).orElse("default"))
        .withDomain(binder.bind("mesh.istio.domain", String.class).orElse("cluster.local"))
        .withRootNamespace(binder.bind("mesh.istio.root-namespace", String.class)
            .orElse(io.meshclient.core.config.IstioOptions.DEFAULT_ROOT_NAMESPACE));
    // read as every mesh duration is, not by Spring's conversion, which takes 10S, +10s and 10 (milliseconds)
    String every = binder.bind("mesh.istio.check-every", String.class).orElse(null);
    java.time.Duration checkEvery = every == null ? java.time.Duration.ofSeconds(1)
        : io.meshclient.api.spi.SettingValues.parseDuration(every);
    if (checkEvery == null) {
      throw io.meshclient.api.ConfigurationException.of("mesh.istio.check-every", every,
          io.meshclient.api.spi.SettingValues.durationExpected(every));
    }
    options = options.withCheckEvery(checkEvery);
    if (binder.bind("mesh.istio.strict", Boolean.class).orElse(false)) {
      options = options.strictly();
    }
    java.util.Map<String, String> labels = binder.bind("mesh.istio.labels",
        org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class, String.class)).orElse(null);
    if (labels != null) {
      options = options.withLabels(labels);
    }
    builder.istioOptions(options);
    files.forEach(f -> builder.istioConfig(java.nio.file.Path.of(f.trim())));
  }

  /** Creates the {@code @MeshClient} proxies, from the application's {@code RestClient.Builder}. */
  @Bean
  @ConditionalOnMissingBean
  public MeshClientFactory meshClientFactory(ObjectProvider<RestClient.Builder> builders,
      ObjectProvider<ClientHttpMessageConvertersCustomizer> converters,
      ObjectProvider<ObservationRegistry> observations, ObjectProvider<ReactiveMeshClients> reactive, Mesh mesh) {
    return new MeshClientFactory(() -> builders.getIfAvailable(() -> {
      // Without Boot's RestClient support: the application's converters and observations, as Boot's
      // own RestClient.Builder would apply them. Looked up now: the builder may be built on another
      // thread (DeferredMeshClients), which must not create beans.
      RestClient.Builder builder = plainRestClientBuilder(converters.orderedStream().toList());
      observations.ifUnique(builder::observationRegistry);
      return builder;
    }), new MeshClientHttpRequestFactory(mesh), reactive.getIfAvailable(), mesh::services);
  }

  /**
   * A {@code RestClient.Builder} given the application's converter {@code customizers}, as Boot's own
   * builder is, or, without any, Spring's default converters. (Configuring the converters at all drops
   * Spring's defaults, which Boot's customizer registers again; a reactive web application has no
   * customizer, Boot's converters auto-configuration being off there.)
   */
  static RestClient.Builder plainRestClientBuilder(List<ClientHttpMessageConvertersCustomizer> customizers) {
    RestClient.Builder builder = RestClient.builder();
    return customizers.isEmpty() ? builder
        : builder.configureMessageConverters(client -> customizers.forEach(c -> c.customize(client)));
  }

  /**
   * Makes every request factory Boot builds (RestClient.Builder, RestTemplateBuilder, HTTP service
   * groups) send {@code http://<service>/...} through the mesh, and other hosts as before; only when
   * the application has Boot's HTTP client support.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder")
  static class RequestFactoryRouting {
    @Bean
    @ConditionalOnMissingBean(name = "meshRequestFactoryBuilderPostProcessor", search = SearchStrategy.CURRENT)
    static BeanPostProcessor meshRequestFactoryBuilderPostProcessor(ObjectProvider<Mesh> mesh) {
      return new MeshRequestFactoryBuilderPostProcessor(mesh);
    }
  }

  /**
   * Keeps the mesh in Boot's {@code RestClient.Builder} whatever factory a {@code RestClientCustomizer}, the
   * application or {@code RestClientSsl} sets on it; only when the application has Boot's RestClient support.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.restclient.autoconfigure.RestClientBuilderConfigurer")
  static class RestClientBuilderRouting {
    @Bean
    @ConditionalOnMissingBean(name = "meshRestClientBuilderPostProcessor", search = SearchStrategy.CURRENT)
    static BeanPostProcessor meshRestClientBuilderPostProcessor(ObjectProvider<Mesh> mesh) {
      return new MeshRestClientBuilderPostProcessor(mesh);
    }
  }

  /** Gives HTTP service groups named after a mesh service their base URL and the mesh's factory. */
  @Bean
  @ConditionalOnMissingBean
  public MeshHttpServiceGroupConfigurer meshHttpServiceGroupConfigurer(Mesh mesh, Environment environment) {
    return new MeshHttpServiceGroupConfigurer(mesh, new MeshClientHttpRequestFactory(mesh), environment);
  }

  /**
   * Builds the mesh's HTTP client in the background once the application is ready. An application
   * that wants it built on the first call instead defines a bean named {@code meshHttpClientWarmUp}.
   */
  @Bean
  @ConditionalOnMissingBean(name = "meshHttpClientWarmUp")
  static MeshHttpClientWarmUp meshHttpClientWarmUp(ObjectProvider<Mesh> mesh) {
    return new MeshHttpClientWarmUp(mesh);
  }

  /**
   * Turns a mesh refusal that a web handler lets escape into a 429 or 503 ProblemDetail, at the lowest
   * precedence; {@code mesh.problem-details.enabled=false} turns it off.
   */
  @Bean
  @ConditionalOnWebApplication
  @Conditional(MeshSwitch.ProblemDetailsOn.class)
  @ConditionalOnMissingBean
  public MeshRefusalProblemDetails meshRefusalProblemDetails() {
    return new MeshRefusalProblemDetails();
  }

  /** Applies changed {@code mesh.*} properties to the running mesh. */
  @Bean
  @ConditionalOnMissingBean
  public MeshReconfigurer meshReconfigurer(Mesh mesh, Environment environment) {
    return new MeshReconfigurer(mesh, environment);
  }

  /**
   * With Spring Cloud's refresh on the classpath (spring-cloud-context): a refresh that changes a
   * {@code mesh.*} key reconfigures the mesh.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.cloud.context.environment.EnvironmentChangeEvent")
  static class CloudRefresh {
    @Bean
    @ConditionalOnMissingBean(name = "meshCloudRefreshListener")
    MeshCloudRefreshListener meshCloudRefreshListener(MeshReconfigurer reconfigurer) {
      return new MeshCloudRefreshListener(reconfigurer);
    }
  }
}
