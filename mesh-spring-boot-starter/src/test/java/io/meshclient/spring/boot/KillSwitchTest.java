package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.testapp.ReactiveReviewsClient;
import io.meshclient.spring.boot.testapp.ReviewsClient;
import io.meshclient.spring.boot.testapp.ReviewsGroupApi;
import io.meshclient.spring.boot.testapp.TestApplication;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.ResourceAccessException;

/**
 * {@code mesh.enabled=false}: the application starts without a mesh, and its {@code @MeshClient} beans
 * and the HTTP service group named after the service call the service's fallback URL directly through a
 * plain client, as the backend sees it.
 */
@ExtendWith(OutputCaptureExtension.class)
class KillSwitchTest {

  @Test
  void withTheMeshOffMeshClientsCallTheFallbackUrlDirectlyAndSaySoOnce(CapturedOutput output) {
    Backends.reset();
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApplication.class)
        .properties("server.port=0", "mesh.enabled=false",
            "mesh.services.reviews.fallback-url=http://127.0.0.1:" + Backends.V1.port(),
            "test.reviews.v1=http://127.0.0.1:1", "test.reviews.v3=http://127.0.0.1:1")
        .run()) {
      assertThat(context.getBeansOfType(Mesh.class)).isEmpty();
      for (int i = 0; i < 10; i++) {
        assertThat(context.getBean(ReviewsClient.class).review(1, "jason").version()).isEqualTo("v1");
        assertThat(context.getBean(ReactiveReviewsClient.class).review(1, "jason").block(Duration.ofSeconds(10))
            .version()).isEqualTo("v1");
        assertThat(context.getBean(ReviewsGroupApi.class).review(1).version()).as("the HTTP service group")
            .isEqualTo("v1");
      }
    }
    assertThat(Backends.received(Backends.V1)).isEqualTo(30);
    assertThat(Backends.received(Backends.V3)).isZero();
    assertThat(Backends.events(Backends.V1)).allSatisfy(e ->
        assertThat(e.getRequest().getHeader("User-Agent")).as("not the mesh's OkHttp").doesNotStartWith("okhttp/"));
    assertThat(output.getOut().split("mesh.enabled=false: the mesh is off", -1)).hasSize(2);
  }

  @Test
  void withoutAFallbackUrlAServiceIsCalledByItsName() {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApplication.class)
        .properties("server.port=0", "mesh.enabled=false", "test.reviews.v1=x", "test.reviews.v3=x").run()) {
      assertThatThrownBy(() -> context.getBean(ReviewsClient.class).review(1, null))
          .isInstanceOf(ResourceAccessException.class)
          .hasMessageStartingWith("I/O error on GET request for \"http://reviews/reviews/1\"");
    }
  }
}
