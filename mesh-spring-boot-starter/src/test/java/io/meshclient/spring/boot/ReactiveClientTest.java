package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.meshclient.spring.boot.testapp.ReactiveReviewsClient;
import io.meshclient.spring.boot.testapp.Review;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * WebClient through the mesh in the test application: Boot's {@code WebClient.Builder} and a reactive
 * {@code @MeshClient}, counted at the WireMock backends.
 */
class ReactiveClientTest extends TestApplicationTest {
  @Autowired WebClient.Builder webClientBuilder;
  @Autowired ReactiveReviewsClient reactive;

  @BeforeEach
  void resetBackends() {
    Backends.reset();
  }

  @Test
  void bootsWebClientBuilderSplitsTrafficEightyTwenty() {
    WebClient client = webClientBuilder.build();
    int calls = 5000;
    for (int i = 0; i < calls; i++) {
      client.get().uri("http://reviews/reviews/1").retrieve().bodyToMono(Review.class).block(Duration.ofSeconds(10));
    }
    assertSplit("WebClient.Builder", calls);
  }

  @Test
  void reactiveMeshClientSplitsTrafficEightyTwenty() {
    int calls = 5000;
    int v3Bodies = 0;
    for (int i = 0; i < calls; i++) {
      if (reactive.review(1, null).block(Duration.ofSeconds(10)).version().equals("v3")) {
        v3Bodies++;
      }
    }
    assertSplit("reactive @MeshClient", calls);
    assertThat(v3Bodies).isEqualTo(Backends.received(Backends.V3));
  }

  @Test
  void reactiveMeshClientFollowsTheHeaderRoute() {
    for (int i = 0; i < 20; i++) {
      assertThat(reactive.review(1, "jason").block(Duration.ofSeconds(10)).version()).isEqualTo("v3");
    }
    assertThat(Backends.received(Backends.V1)).isZero();
  }

  @Test
  void bootsWebClientBuilderSendsOtherHostsThroughTheApplicationsConnector() {
    Review direct = webClientBuilder.build().get().uri("http://127.0.0.1:" + Backends.V1.port() + "/reviews/1")
        .retrieve().bodyToMono(Review.class).block(Duration.ofSeconds(10));
    assertThat(direct.version()).isEqualTo("v1");
    assertThat(Backends.events(Backends.V1).get(0).getRequest().getHeader("User-Agent"))
        .as("Reactor Netty, the application's connector").startsWith("ReactorNetty/");
  }

  private static void assertSplit(String what, int calls) {
    int v1 = Backends.received(Backends.V1);
    int v3 = Backends.received(Backends.V3);
    System.out.printf("%s split: v1 %d, v3 %d of %d calls (v3 %.1f%%)%n", what, v1, v3, calls, 100.0 * v3 / calls);
    assertThat(v1 + v3).isEqualTo(calls);
    assertThat(100.0 * v3 / calls).isCloseTo(20.0, within(3.0));
    assertSentByOkHttp(Backends.V1);
    assertSentByOkHttp(Backends.V3);
  }

  private static void assertSentByOkHttp(WireMockServer backend) {
    assertThat(Backends.events(backend)).isNotEmpty()
        .allSatisfy(e -> assertThat(e.getRequest().getHeader("User-Agent")).startsWith("okhttp/"));
  }
}
