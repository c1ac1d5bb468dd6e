package com.example.shop;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application as built from its published dependencies: its @MeshClient calls two WireMock
 * backends through application.yml's routes, and the backends count what they received.
 */
@SpringBootTest
class ShopApplicationTest {
  static final WireMockServer V1 = backend("v1");
  static final WireMockServer V3 = backend("v3");

  @Autowired ReviewsClient reviews;

  private static WireMockServer backend(String version) {
    WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    server.stubFor(get(urlPathMatching("/reviews/\\d+"))
        .willReturn(okJson("{\"productId\":1,\"version\":\"" + version + "\"}")));
    return server;
  }

  @DynamicPropertySource
  static void backends(DynamicPropertyRegistry registry) {
    registry.add("reviews.v1.url", () -> "http://127.0.0.1:" + V1.port());
    registry.add("reviews.v3.url", () -> "http://127.0.0.1:" + V3.port());
  }

  @AfterAll
  static void stop() {
    V1.stop();
    V3.stop();
  }

  @BeforeEach
  void reset() {
    V1.resetRequests();
    V3.resetRequests();
  }

  @Test
  void anonymousCallsAreSplitEightyTwentyAsCountedByTheBackends() {
    int calls = 5_000; // the v3 share's standard deviation is 0.57 points: 3 points is over 5 of them
    for (int i = 0; i < calls; i++) {
      assertThat(reviews.review(1, null).productId()).isEqualTo(1);
    }
    int v1 = V1.getAllServeEvents().size();
    int v3 = V3.getAllServeEvents().size();
    System.out.printf("spring-consumer: v1 %d, v3 %d of %d calls (v3 %.1f%%)%n", v1, v3, calls, 100.0 * v3 / calls);
    assertThat(v1 + v3).isEqualTo(calls);
    assertThat(100.0 * v3 / calls).as("v3 share").isCloseTo(20.0, within(3.0));
  }

  @Test
  void jasonIsRoutedToV3Only() {
    for (int i = 0; i < 50; i++) {
      assertThat(reviews.review(1, "jason").version()).isEqualTo("v3");
    }
    assertThat(V1.getAllServeEvents()).isEmpty();
  }
}
