package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ConfigurationException;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import io.meshclient.spring.boot.autoconfigure.MeshDisabledAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;

/**
 * {@code @MeshClient} interfaces written wrong fail the start-up naming the interface; two interfaces for
 * one service are two clients of it.
 */
class MeshClientMisuseTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshDisabledAutoConfiguration.class,
          HttpMessageConvertersAutoConfiguration.class))
      .withPropertyValues("mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:" + Backends.V1.port());

  /** {@code cached()} has no exchange annotation: Spring's proxy would throw on each call to it. */
  @MeshClient("reviews")
  public interface HalfClient {
    @GetExchange("/reviews/{id}")
    String review(@PathVariable int id);

    String cached(int id);

    String latest();
  }

  @MeshClient("reviews")
  public interface ReviewsText {
    @GetExchange("/reviews/{id}")
    String review(@PathVariable int id);

    /** A default method is the interface's own code, not an exchange. */
    default String first() {
      return review(1);
    }
  }

  @MeshClient("reviews")
  public interface MoreReviewsText {
    @GetExchange("/reviews/{id}")
    String review(@PathVariable int id);
  }

  @Configuration(proxyBeanMethods = false)
  @EnableMeshClients(clients = HalfClient.class)
  static class HalfApp {}

  @Configuration(proxyBeanMethods = false)
  @EnableMeshClients(clients = {ReviewsText.class, MoreReviewsText.class})
  static class TwoClientsApp {}

  @Test
  void aMethodWithoutAnHttpExchangeFailsStartUpNamingTheInterfaceAndTheMethods() {
    String expected = "@MeshClient on " + HalfClient.class.getName() + ": cached(), latest() (expected: an HTTP "
        + "exchange (@GetExchange, @PostExchange, ... or @HttpExchange) on every abstract method; a default "
        + "method for anything else)";
    runner.withUserConfiguration(HalfApp.class).run(context -> assertThat(context).hasFailed()
        .getFailure().rootCause().isInstanceOf(ConfigurationException.class).hasMessage(expected));
    runner.withUserConfiguration(HalfApp.class).withPropertyValues("mesh.enabled=false")
        .run(context -> assertThat(context).as("the kill switch's clients too").hasFailed()
            .getFailure().rootCause().isInstanceOf(ConfigurationException.class).hasMessage(expected));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableMeshClients(clients = ReviewsText.class)
  static class OneClientApp {}

  /**
   * Consul lists only the services configured under {@code mesh.services}, so a client of a service that
   * Consul has is refused until it is configured; "one of []" alone did not say so.
   */
  @Test
  void aClientOfARegistrysServiceThatIsNotConfiguredFailsStartUpSayingWhereToConfigureIt() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withUserConfiguration(OneClientApp.class)
        .withPropertyValues("mesh.discovery.consul.url=http://127.0.0.1:1")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(ConfigurationException.class).hasMessage("@MeshClient on " + ReviewsText.class.getName()
                + ": reviews (expected: a mesh service, one of []; a service is one once a discovery lists it "
                + "(mesh.discovery.static.services.reviews[0].url, say) or, for a registry's such as Consul's, once "
                + "configured under mesh.services)"));
  }

  /**
   * The starter added, an {@code @MeshClient} written, and no {@code mesh:} block in application.yml yet: the
   * start-up failure says where the service's instances go. It said only that a registry's service is one once
   * configured under {@code mesh.services}, which sends a newcomer to a key that alone fails the start-up
   * ({@code mesh.services.reviews.discovery: not set}).
   */
  @Test
  void aClientWithoutAnyMeshBlockFailsStartUpSayingWhereTheServicesInstancesAreListed() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withUserConfiguration(OneClientApp.class)
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(ConfigurationException.class).hasMessage("@MeshClient on " + ReviewsText.class.getName()
                + ": reviews (expected: a mesh service, one of []; a service is one once a discovery lists it "
                + "(mesh.discovery.static.services.reviews[0].url, say) or, for a registry's such as Consul's, once "
                + "configured under mesh.services)"));
  }

  @Test
  void twoInterfacesForOneServiceAreTwoClientsOfItAndDefaultMethodsAreAllowed() {
    runner.withUserConfiguration(TwoClientsApp.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(ReviewsText.class).first()).isEqualTo("{\"productId\":1,\"version\":\"v1\"}");
      assertThat(context.getBean(MoreReviewsText.class).review(2)).isEqualTo("{\"productId\":1,\"version\":\"v1\"}");
    });
  }
}
