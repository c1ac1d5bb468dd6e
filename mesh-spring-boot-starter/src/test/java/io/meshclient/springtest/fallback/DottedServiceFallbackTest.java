package io.meshclient.springtest.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import java.io.IOException;
import java.net.InetAddress;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The kill switch reads the fallback URL of a service whose name holds dots where the mesh reads its other
 * settings, {@code mesh.services[reviews.prod]}: it looked under {@code mesh.services.reviews.prod}, so the URL
 * checked at every start-up with the mesh on was never used with it off, and calls went to {@code
 * http://reviews.prod}.
 */
class DottedServiceFallbackTest {

  @Test
  void withTheMeshOffAServiceWhoseNameHoldsDotsIsCalledAtItsFallbackUrl() throws IOException {
    try (MockWebServer backend = new MockWebServer()) {
      backend.enqueue(new MockResponse.Builder().body("pong").build());
      backend.start(InetAddress.getByName("127.0.0.1"), 0);
      try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DottedServiceApp.class)
          .web(WebApplicationType.NONE)
          .properties("spring.config.name=none", "mesh.enabled=false",
              "mesh.services[reviews.prod].fallback-url=http://127.0.0.1:" + backend.getPort())
          .run()) {
        assertThat(context.getBean(DottedServiceApp.ReviewsProd.class).ping()).isEqualTo("pong");
      }
      assertThat(backend.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void withTheMeshOffABadFallbackUrlOfAServiceWhoseNameHoldsDotsFailsTheStartUpNamingItsKey() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(DottedServiceApp.class).web(WebApplicationType.NONE)
        .properties("spring.config.name=none", "mesh.enabled=false",
            "mesh.services[reviews.prod].fallback-url=reviews.internal:9080")
        .run().close())
        .rootCause().isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("mesh.services[reviews.prod].fallback-url: reviews.internal:9080 (expected: an http");
  }
}
