package io.meshclient.spring.boot;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import io.meshclient.spring.boot.autoconfigure.MeshBuilderCustomizer;
import io.meshclient.spring.boot.autoconfigure.MeshDisabledAutoConfiguration;
import io.meshclient.spring.boot.client.MeshClientFactory;
import io.meshclient.spring.boot.actuate.MeshEndpoint;
import io.meshclient.spring.boot.actuate.MeshHealthIndicator;
import io.meshclient.spring.boot.client.MeshHttpServiceGroupConfigurer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.meshclient.spring.boot.testapp.Review;
import io.meshclient.spring.boot.testapp.ReviewsClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.http.converter.autoconfigure.ClientHttpMessageConvertersCustomizer;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

/** What the auto-configuration creates, and when it stays out of the way. */
class AutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class));

  @Test
  void createsTheMeshAndEveryEntryPointFromProperties() {
    runner.withPropertyValues(
            "mesh.discovery.static.services.details[0].url=http://127.0.0.1:9",
            "mesh.services.details.timeout=2s")
        .run(context -> {
          assertThat(context).hasSingleBean(Mesh.class).hasSingleBean(MeshClientFactory.class)
              .hasSingleBean(MeshHttpServiceGroupConfigurer.class).hasSingleBean(MeshReconfigurer.class);
          Mesh mesh = context.getBean(Mesh.class);
          assertThat(mesh.services()).containsExactly("details");
          assertThat(mesh.instances("details")).singleElement().satisfies(i -> assertThat(i.port()).isEqualTo(9));
          assertThat(mesh.config().service("details").timeout()).hasSeconds(2);
        });
  }

  @Test
  void withoutWebFluxNoReactiveBeanIsMadeAndTheRestStarts() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.web.reactive",
            "org.springframework.boot.webclient"))
        .withPropertyValues("mesh.discovery.static.services.details[0].url=http://127.0.0.1:9")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(MeshClientFactory.class)
            .hasSingleBean(MeshHttpServiceGroupConfigurer.class)
            .doesNotHaveBean(io.meshclient.spring.boot.client.ReactiveMeshClients.class)
            .doesNotHaveBean(io.meshclient.spring.boot.client.MeshWebClientHttpServiceGroupConfigurer.class));
  }

  @Test
  void meshClientsNeedNoRestClientAutoConfigurationAndUseTheApplicationsConvertersAndObservations() {
    java.util.List<String> observed = new java.util.concurrent.CopyOnWriteArrayList<>();
    WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    backend.start();
    try {
      backend.stubFor(get("/reviews/7").willReturn(okJson("{\"product_id\": 7, \"version\": \"v1\"}")));
      runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.restclient",
              "org.springframework.boot.http.client"))
          .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
              HttpMessageConvertersAutoConfiguration.class))
          .withUserConfiguration(ReviewsClientOnly.class)
          .withBean(SimpleMeterRegistry.class)
          .withBean(ObservationRegistry.class, () -> {
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(new ObservationHandler<>() {
              @Override
              public boolean supportsContext(Observation.Context context) {
                return true;
              }

              @Override
              public void onStart(Observation.Context context) {
                observed.add(context.getName());
              }
            });
            return registry;
          })
          .withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE",
              "mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:" + backend.port())
          .run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(RestClient.Builder.class)
                .doesNotHaveBean("meshRequestFactoryBuilderPostProcessor");
            // snake_case in, productId out: the application's JsonMapper read the body
            assertThat(context.getBean(ReviewsClient.class).review(7, null)).isEqualTo(new Review(7, "v1"));
            assertThat(context.getBean(SimpleMeterRegistry.class).get("mesh.client.requests")
                .tag("service", "reviews").timer().count()).isEqualTo(1);
            assertThat(observed).as("the application's observations, as Boot's builder would apply them")
                .contains("http.client.requests");
          });
    } finally {
      backend.stop();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableMeshClients(clients = ReviewsClient.class)
  static class ReviewsClientOnly {}

  /**
   * In a reactive web application Boot's converters auto-configuration is off, so there is no converter
   * customizer: a blocking {@code @MeshClient} still reads JSON (Spring's default converters), the mesh on
   * or off.
   */
  @Test
  void inAReactiveWebApplicationWithoutBootsRestClientMeshClientsReadJson() {
    WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    backend.start();
    try {
      backend.stubFor(get("/reviews/7").willReturn(okJson("{\"productId\": 7, \"version\": \"v1\"}")));
      ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshDisabledAutoConfiguration.class,
              JacksonAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class))
          .withClassLoader(new FilteredClassLoader("org.springframework.boot.restclient",
              "org.springframework.boot.http.client"))
          .withUserConfiguration(ReviewsClientOnly.class);
      String url = "http://127.0.0.1:" + backend.port();
      for (String[] properties : new String[][] {{"mesh.discovery.static.services.reviews[0].url=" + url},
          {"mesh.enabled=false", "mesh.services.reviews.fallback-url=" + url}}) {
        reactive.withPropertyValues(properties).run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(ClientHttpMessageConvertersCustomizer.class);
          assertThat(context.getBean(ReviewsClient.class).review(7, null)).as(properties[0])
              .isEqualTo(new Review(7, "v1"));
        });
      }
      assertThat(backend.getAllServeEvents()).hasSize(2);
    } finally {
      backend.stop();
    }
  }

  @Test
  void meshEnabledFalseCreatesNoMesh() {
    runner.withPropertyValues("mesh.enabled=false", "mesh.services.details.timeout=-1s")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Mesh.class)
            .doesNotHaveBean(MeshClientFactory.class).doesNotHaveBean(MeshHttpServiceGroupConfigurer.class));
  }

  /**
   * Spring Cloud's refresh support is there only with spring-cloud-context; without it the starter
   * starts as before. A bean named meshHttpClientWarmUp turns the warm-up off.
   */
  @Test
  void cloudRefreshOnlyWithSpringCloudAndTheWarmUpBacksOff() {
    runner.withPropertyValues("mesh.discovery.static.services.details[0].url=http://127.0.0.1:9")
        .run(context -> assertThat(context).hasNotFailed().hasBean("meshCloudRefreshListener")
            .hasBean("meshHttpClientWarmUp"));
    runner.withClassLoader(new FilteredClassLoader("org.springframework.cloud"))
        .withPropertyValues("mesh.discovery.static.services.details[0].url=http://127.0.0.1:9")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Mesh.class)
            .hasSingleBean(MeshReconfigurer.class).doesNotHaveBean("meshCloudRefreshListener"));
    runner.withBean("meshHttpClientWarmUp", String.class, () -> "off")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Mesh.class)
            .getBean("meshHttpClientWarmUp").isEqualTo("off"));
  }

  @Test
  void needsNeitherActuatorNorBootMetricsOnTheClasspath() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
            "org.springframework.boot.health", "org.springframework.boot.micrometer"))
        .withPropertyValues("mesh.discovery.static.services.details[0].url=http://127.0.0.1:9")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Mesh.class)
            .hasSingleBean(MeshClientFactory.class).doesNotHaveBean(MeshEndpoint.class)
            .doesNotHaveBean(MeshHealthIndicator.class));
  }

  @Test
  void anApplicationMeshReplacesTheAutoConfiguredOne() {
    runner.withBean(Mesh.class, () -> Mesh.builder().build())
        .run(context -> assertThat(context).hasSingleBean(Mesh.class)
            .getBean(Mesh.class).satisfies(m -> assertThat(m.services()).isEmpty()));
  }

  @Test
  void bindsTheApplicationsMeterRegistryAndAppliesCustomizers() {
    AtomicBoolean customized = new AtomicBoolean();
    runner.withBean(SimpleMeterRegistry.class)
        .withBean(MeshBuilderCustomizer.class, () -> b -> customized.set(true))
        .withPropertyValues("mesh.discovery.static.services.ratings[0].url=http://127.0.0.1:9",
            "mesh.services.ratings.rate-limit.rate=5/s")
        .run(context -> {
          assertThat(customized).isTrue();
          assertThat(context.getBean(SimpleMeterRegistry.class).find("resilience4j.ratelimiter.available.permissions")
              .tag("name", "ratings").gauge()).isNotNull();
        });
  }

  @Test
  void invalidPropertyFailsTheContextNamingTheFullKey() {
    runner.withPropertyValues(
            "mesh.services.reviews.subsets.v1.version=v1",
            "mesh.services.reviews.routes[0].split.v1=80",
            "mesh.services.reviews.routes[0].split.v4=20",
            "mesh.services.reviews.rate-limit.rate=0/s")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mesh.services.reviews.routes[0].split: v4 (expected: one of the subsets [v1])")
            .hasMessageContaining("mesh.services.reviews.rate-limit.rate: 0/s (expected: > 0, such as 200/s)"));
  }
}
