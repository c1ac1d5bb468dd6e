package io.meshclient.springtest.reactivegroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * (In a package of its own, so that no other test's application scans it.)
 *
 * <p>With {@code mesh.enabled=false} a reactive ({@code WEB_CLIENT}) HTTP service group named after a mesh
 * service calls the service's fallback URL, as a {@code REST_CLIENT} group does, not a relative URL that
 * WebClient sends to {@code localhost:80}.
 */
@Timeout(60)
class MeshOffReactiveGroupTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @ImportHttpServices(group = "ratings", types = RatingsApi.class, clientType = HttpServiceGroup.ClientType.WEB_CLIENT)
  static class App {}

  @Test
  void withTheMeshOffAReactiveGroupCallsTheFallbackUrl() throws Exception {
    try (MockWebServer fallback = new MockWebServer()) {
      fallback.start(InetAddress.getLoopbackAddress(), 0);
      fallback.enqueue(new MockResponse.Builder().body("five stars").build());
      try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
          .web(WebApplicationType.NONE)
          .properties("spring.config.name=none", "mesh.enabled=false",
              "mesh.services.ratings.fallback-url=http://127.0.0.1:" + fallback.getPort())
          .run()) {
        assertThat(context.getBean(RatingsApi.class).ratings().block(Duration.ofSeconds(10))).isEqualTo("five stars");
      }
      assertThat(fallback.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/ratings");
    }
  }
}
