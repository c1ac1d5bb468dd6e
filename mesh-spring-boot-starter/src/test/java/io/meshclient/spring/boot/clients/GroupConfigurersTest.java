package io.meshclient.spring.boot.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.spring.boot.clients.group.OwnConnectorGroupApp;
import io.meshclient.spring.boot.clients.group.OwnFactoryGroupApp;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application's own {@code RestClientHttpServiceGroupConfigurer} that gives every group its own request
 * factory, or {@code WebClientHttpServiceGroupConfigurer} its own connector, does not take the group named
 * after a mesh service out of the mesh.
 */
@Timeout(60)
class GroupConfigurersTest {
  private Loopback reviews;

  @BeforeEach
  void start() throws Exception {
    reviews = new Loopback("reviews");
  }

  @AfterEach
  void stop() {
    reviews.close();
  }

  @Test
  void aGroupConfigurerThatSetsItsOwnRequestFactoryKeepsTheMeshGroupInTheMesh() {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(OwnFactoryGroupApp.class)
        .web(WebApplicationType.NONE).properties("spring.config.name=none",
            "mesh.discovery.static.services.reviews[0].url=" + reviews.url()).run()) {
      assertThat(context.getBean(OwnFactoryGroupApp.ReviewsApi.class).review()).isEqualTo("reviews");
    }
    assertThat(reviews.userAgents()).singleElement().asString().startsWith("okhttp/");
  }

  @Test
  void aReactiveGroupConfigurerThatSetsItsOwnConnectorKeepsTheMeshGroupInTheMesh() {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(OwnConnectorGroupApp.class)
        .web(WebApplicationType.NONE).properties("spring.config.name=none",
            "mesh.discovery.static.services.reviews[0].url=" + reviews.url()).run()) {
      assertThat(context.getBean(OwnConnectorGroupApp.ReviewsApi.class).review().block(Duration.ofSeconds(10)))
          .isEqualTo("reviews");
    }
    assertThat(reviews.userAgents()).singleElement().asString().startsWith("okhttp/");
  }
}
