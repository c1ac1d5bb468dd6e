package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A VirtualService's retries on Bookinfo's servers, counted at the servers: retryOn words and Istio's default. */
@Timeout(120)
class IstioRetryRoutingTest extends BookinfoIstioTest {
  /** A VirtualService sending ratings to its v1 subset with the retries block {@code %s}. */
  private static final String RATINGS_V1_RETRIES = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: { name: ratings }
      spec:
        hosts: [ratings]
        http:
          - route: [{ destination: { host: ratings, subset: v1 } }]
            retries: %s
      """;

  @Test
  void retriesFollowRetryOn() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route: [{ destination: { host: reviews, subset: v1 } }]
              retries: { attempts: 3, perTryTimeout: 2s, retryOn: gateway-error }
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: ratings }
        spec:
          hosts: [ratings]
          http:
            - match: [{ uri: { prefix: /bare } }]
              route: [{ destination: { host: ratings, subset: v1 } }]
              retries: { attempts: 1, retryOn: "503" }
            - route: [{ destination: { host: ratings, subset: v1 } }]
              retries: { attempts: 4, retryOn: connect-failure }
        """)) {
      warmUp(mesh, "http://reviews/r", reviewsV1);
      warmUp(mesh, "http://ratings/r", ratingsV1);
      reviewsV1.status(502);
      ratingsV1.status(503);
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("502 reviews-v1");
      assertThat(reviewsV1.requests.get()).as("gateway-error retries a 502: 1 + 3 retries").isEqualTo(4);
      assertThat(body(mesh, "http://ratings/bare")).isEqualTo("503 ratings-v1");
      assertThat(ratingsV1.requests.get()).as("a bare 503 in retryOn retries it once").isEqualTo(2);
      assertThat(body(mesh, "http://ratings/x")).isEqualTo("503 ratings-v1");
      assertThat(ratingsV1.requests.get()).as("connect-failure does not retry a 503").isEqualTo(3);
    }
  }

  @Test
  void anEmptyRetryOnKeepsIstiosDefaultConditionsAsPilotTranslatesIt() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route: [{ destination: { host: reviews, subset: v1 } }]
              retries: { attempts: 2, retryOn: "" }
        """)) {
      warmUp(mesh, "http://reviews/r", reviewsV1);
      reviewsV1.status(503);
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("503 reviews-v1");
      assertThat(reviewsV1.requests.get()).as("Istio's default retries a 503: 1 + 2 retries").isEqualTo(3);
    }
  }

  /**
   * Envoy's router counts a refused connection (and a per-try timeout) as a reset, and retries resets on
   * gateway-error and 5xx as on reset. The mesh once retried only 502, 503 and 504 on gateway-error.
   */
  @Test
  void gatewayErrorAlsoRetriesARefusedConnectionAsEnvoysRouterDoes() throws Exception {
    bookinfo();
    LoopbackServer live = server("details-live");
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    discovery.set("details", List.of(live.instance("details", Map.of())));
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: details }
        spec:
          hosts: [details]
          http:
            - route: [{ destination: { host: details } }]
              retries: { attempts: 2, retryOn: gateway-error }
        """)) {
      warmUp(mesh, "http://details/d", live);
      discovery.set("details", List.of(
          io.meshclient.api.ServiceInstance.builder("details", "127.0.0.1", closed).id("details-refusing").build(),
          live.instance("details", Map.of())));
      for (int i = 0; i < 6; i++) {
        assertThat(body(mesh, "http://details/d")).as("call " + i).isEqualTo("200 details-live");
      }
      assertThat(live.requests.get()).isEqualTo(6);
    }
  }

  @Test
  void istiosDefaultRetryPolicyRetriesA503Twice() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: ratings }
        spec:
          hosts: [ratings]
          http:
            - route: [{ destination: { host: ratings, subset: v1 } }]
        """)) {
      warmUp(mesh, "http://ratings/r", ratingsV1);
      ratingsV1.status(503);
      assertThat(body(mesh, "http://ratings/x")).isEqualTo("503 ratings-v1");
      assertThat(ratingsV1.requests.get()).isEqualTo(3);
      assertThat(mesh.config().service("ratings").timeout()).as("no route timeout")
          .isEqualTo(io.meshclient.api.spi.Setting.MAX_DURATION);
    }
  }

  /**
   * Istio's ConvertPolicy disables retries when {@code attempts} is 0 or left out, and its validation refuses
   * {@code perTryTimeout}, {@code retryOn} or {@code retryRemoteLocalities} next to it. The mesh once made 3
   * attempts for a retries block without {@code attempts}.
   */
  @Test
  void aRetriesBlockWithoutAttemptsRetriesNothingAndOneThatConfiguresRetriesIsRefused() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: ratings }
        spec:
          hosts: [ratings]
          http:
            - route: [{ destination: { host: ratings, subset: v1 } }]
              retries: { backoff: 25ms }
        """)) {
      warmUp(mesh, "http://ratings/r", ratingsV1);
      ratingsV1.status(503);
      assertThat(body(mesh, "http://ratings/x")).isEqualTo("503 ratings-v1");
      assertThat(ratingsV1.requests.get()).as("no retry, where the service default would retry the 503 twice")
          .isEqualTo(1);
    }
    for (String retries : List.of("{ perTryTimeout: 2s }", "{ attempts: 0, retryOn: 5xx }")) {
      assertThatThrownBy(() -> mesh(RATINGS_V1_RETRIES.formatted(retries))).isInstanceOf(ConfigurationException.class)
          .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/ratings: spec.http[0].retries.attempts: "
              + (retries.contains("attempts") ? "0" : "missing") + " (expected: at least 1 next to "
              + (retries.contains("attempts") ? "retryOn" : "perTryTimeout") + " (Istio: \"http retry policy "
              + "configured when attempts are set to 0 (disabled)\"); a retries block without attempts retries "
              + "nothing)");
    }
  }

  /**
   * Istio's validation splits retryOn on each comma and takes each part as written: a space after a comma, a word in
   * upper case or a trailing comma is refused there ("%q is not a valid retryOn policy"), and a code Go's net/http
   * does not name (599). The mesh once trimmed and lower-cased each part and skipped empty ones, so it retried on a
   * list Istio never applies. The list written as Istio takes it retries as before.
   */
  @Test
  void aRetryOnListIstioRefusesIsRefusedAndTheSameListWrittenAsIstioTakesItRetries() throws Exception {
    bookinfo();
    String vs = RATINGS_V1_RETRIES.formatted("{ attempts: 2, retryOn: \"%s\" }");
    Map<String, String> refused = Map.of("5xx, reset", " reset", "5XX", "5XX", "5xx,", "", "reset,599", "599",
        "gateway-error,,503", "");
    refused.forEach((retryOn, part) -> assertThatThrownBy(() -> mesh(vs.formatted(retryOn)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio.yaml") + ": VirtualService default/ratings: spec.http[0].retries.retryOn: \""
            + retryOn + "\" (expected: Envoy retry conditions (5xx, gateway-error, reset, connect-failure, "
            + "refused-stream, retriable-4xx, retriable-status-codes, gRPC statuses) or HTTP status codes, in lower "
            + "case, separated by commas without spaces (Istio: \"" + part + "\" is not a valid retryOn policy))"));
    try (Mesh mesh = mesh(vs.formatted("5xx,reset"))) {
      warmUp(mesh, "http://ratings/r", ratingsV1);
      ratingsV1.status(503);
      assertThat(body(mesh, "http://ratings/x")).isEqualTo("503 ratings-v1");
      assertThat(ratingsV1.requests.get()).as("5xx retries the 503 twice").isEqualTo(3);
    }
  }
}
