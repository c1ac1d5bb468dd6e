package io.meshclient.spring.boot.typo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.spring.boot.typo.client.TypoClient;
import io.meshclient.spring.boot.typo.client.TypoClientApp;
import io.meshclient.spring.boot.typo.group.TypoGroupApi;
import io.meshclient.spring.boot.typo.group.TypoGroupApp;
import io.meshclient.spring.boot.typo.reactive.TypoReactiveGroupApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Fail closed: a {@code @MeshClient} or an HTTP service group naming a service the mesh does not know
 * stops the start-up, naming it, instead of calling {@code http://reviewz} through DNS.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnknownClientNamesTest {
  /** The mesh knows one service, "reviews", listed by static discovery. */
  private static final String[] MESH = {"spring.config.name=none",
      "mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:1"};

  @Test
  void aMeshClientNamingAnUnknownServiceFailsStartUpWithTheClosestName(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(TypoClientApp.class).web(WebApplicationType.NONE)
        .properties(MESH).run().close()).isNotNull();
    assertThat(output).contains("APPLICATION FAILED TO START").contains("@MeshClient on " + TypoClient.class.getName()
        + ": reviewz (expected: a mesh service, one of [reviews]; did you mean 'reviews'?)");
  }

  @Test
  void anHttpServiceGroupNamingAnUnknownServiceFailsStartUpWithTheClosestName(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(TypoGroupApp.class).web(WebApplicationType.NONE)
        .properties(MESH).run().close()).isNotNull();
    assertThat(output).contains("APPLICATION FAILED TO START").contains("HTTP service group: reviewz (expected: a mesh "
        + "service, one of [reviews], or spring.http.serviceclient.reviewz.base-url set; did you mean 'reviews'?)");
  }

  @Test
  void aReactiveHttpServiceGroupNamingAnUnknownServiceFailsStartUpToo(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(TypoReactiveGroupApp.class).web(WebApplicationType.NONE)
        .properties(MESH).run().close()).isNotNull();
    assertThat(output).contains("APPLICATION FAILED TO START").contains("HTTP service group: reviewz (expected: a mesh "
        + "service, one of [reviews], or spring.http.serviceclient.reviewz.base-url set; did you mean 'reviews'?)");
  }

  @Test
  void aGroupWithItsOwnBaseUrlIsLeftAlone() {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TypoGroupApp.class)
        .web(WebApplicationType.NONE).properties(MESH)
        .properties("spring.http.serviceclient.reviewz.base-url=http://127.0.0.1:1").run()) {
      assertThat(context.getBean(TypoGroupApi.class)).isNotNull();
    }
  }

  @Test
  void withTheMeshOffAMeshClientStartsAndCallsByUrl() {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TypoClientApp.class)
        .web(WebApplicationType.NONE).properties("spring.config.name=none", "mesh.enabled=false").run()) {
      assertThat(context.getBean(TypoClient.class)).isNotNull();
    }
  }
}
