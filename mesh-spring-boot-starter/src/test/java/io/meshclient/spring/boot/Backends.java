package io.meshclient.spring.boot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.List;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Two WireMock reviews backends on loopback, v1 and v3, each answering {@code {"productId":1,
 * "version":"v1"}} (or v3). Started once per test JVM and shared by the Spring tests, so that their
 * application contexts are cached.
 */
final class Backends {
  static final WireMockServer V1 = start("v1");
  static final WireMockServer V3 = start("v3");

  private Backends() {}

  private static WireMockServer start(String version) {
    WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
        .containerThreads(24).jettyAcceptors(1));
    server.start();
    server.stubFor(any(urlPathMatching("/reviews/\\d+"))
        .willReturn(okJson("{\"productId\":1,\"version\":\"" + version + "\"}")));
    server.stubFor(post("/reviews").willReturn(aResponse().withStatus(201)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"productId\":7,\"version\":\"" + version + "\"}")));
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    return server;
  }

  /** Points application.yml's {@code ${test.reviews.*}} placeholders at the backends. */
  static void register(DynamicPropertyRegistry registry) {
    registry.add("test.reviews.v1", () -> "http://127.0.0.1:" + V1.port());
    registry.add("test.reviews.v3", () -> "http://127.0.0.1:" + V3.port());
  }

  /** Forgets what both backends received. */
  static void reset() {
    V1.resetRequests();
    V3.resetRequests();
  }

  static int received(WireMockServer server) {
    return server.getAllServeEvents().size();
  }

  static List<ServeEvent> events(WireMockServer server) {
    return server.getAllServeEvents();
  }
}
