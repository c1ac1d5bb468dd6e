package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Header and query parameter matches as Istio translates them for Envoy (pilot's route.TranslateRouteMatch): the
 * regex {@code *} is a presence match, withoutHeaders treat a missing header as the empty value, query parameter
 * names are compared as written.
 */
@Timeout(60)
class IstioHeaderMatchTest extends BookinfoIstioTest {
  @Test
  void theRegexStarMatchesAnyValueOfAHeaderThatIsPresent() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ headers: { x-canary: { regex: "*" } } }]
              route: [{ destination: { host: reviews, subset: v3 } }]
            - match: [{ queryParams: { beta: { regex: "*" } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """)) {
      assertThat(body(mesh, "http://reviews/r", "x-canary", "anything")).isEqualTo("200 reviews-v3");
      assertThat(body(mesh, "http://reviews/r", "x-canary", "")).isEqualTo("200 reviews-v3");
      assertThat(body(mesh, "http://reviews/r?beta=")).isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v1");
    }
  }

  @Test
  void withoutHeadersWhoseMatcherHoldsForTheEmptyValueAlsoExcludeCallsWithoutTheHeader() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ withoutHeaders: { end-user: { regex: "(test-.*)?" } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """)) {
      assertThat(body(mesh, "http://reviews/r", "end-user", "alice")).isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews/r", "end-user", "test-7")).isEqualTo("200 reviews-v1");
      assertThat(body(mesh, "http://reviews/r")).as("a missing header is \"\", which the regex matches")
          .isEqualTo("200 reviews-v1");
    }
  }

  @Test
  void queryParameterNamesAreComparedAsWrittenAsEnvoyComparesThem() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ queryParams: { userId: { exact: "7" } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """)) {
      assertThat(body(mesh, "http://reviews/r?userId=7")).isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews/r?userid=7")).isEqualTo("200 reviews-v1");
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v1");
    }
  }

  @Test
  void aNullQueryParameterOrWithoutHeadersMatchIsAPresenceMatchNotLeftOut() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ queryParams: { beta: } }]
              route: [{ destination: { host: reviews, subset: v3 } }]
            - match: [{ withoutHeaders: { x-legacy: } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """)) {
      assertThat(body(mesh, "http://reviews/r?beta=1")).isEqualTo("200 reviews-v3");
      assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews/r", "x-legacy", "yes")).isEqualTo("200 reviews-v1");
    }
  }
}
