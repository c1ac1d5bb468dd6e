package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.core.Mesh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import okhttp3.Response;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Istio's own VirtualService and DestinationRule YAML route calls to real servers on 127.0.0.1, counted
 * at the servers: Bookinfo's splits, header routes, faults, cross-service routes, header changes,
 * rewrites and outlier ejection (retries: {@link IstioRetryRoutingTest}).
 */
@Timeout(120)
class IstioRoutingTest extends BookinfoIstioTest {
  @Test
  void reviewsEightyTwentyLandsWithinOneAndAHalfPointsOverTenThousandCalls() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route:
                - destination: { host: reviews, subset: v1 }
                  weight: 80
                - destination: { host: reviews, subset: v3 }
                  weight: 20
        """)) {
      for (int i = 0; i < 10_000; i++) {
        try (Response r = get(mesh, "http://reviews/reviews/0")) {
          assertThat(r.code()).isEqualTo(200);
        }
      }
    }
    System.out.printf("istio 80/20: v1 %d, v3 %d, v2 %d of 10000%n", reviewsV1.requests.get(),
        reviewsV3.requests.get(), reviewsV2.requests.get());
    assertThat(reviewsV1.requests.get() + reviewsV3.requests.get()).isEqualTo(10_000);
    assertThat(reviewsV2.requests.get()).isZero();
    assertThat(reviewsV3.requests.get() / 100.0).isCloseTo(20.0, Offset.offset(1.5));
  }

  @Test
  void aRoutesOnlyDestinationTakesEveryCallWhateverItsWeightAsInIstio() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route: [{ destination: { host: reviews, subset: v3 }, weight: 0 }]
        """)) {
      for (int i = 0; i < 20; i++) {
        assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v3");
      }
    }
    assertThat(reviewsV3.requests.get()).isEqualTo(20);
  }

  @Test
  void aMirrorToAnotherServicesSubsetIsLeftOutAndReportedNotCopiedToItsOtherInstances() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route: [{ destination: { host: reviews, subset: v1 } }]
              mirror: { host: ratings, subset: v2 }
        """)) {
      for (int i = 0; i < 20; i++) {
        assertThat(body(mesh, "http://reviews/r")).isEqualTo("200 reviews-v1");
      }
      assertThat(mesh.istioReport().unsupported()).singleElement()
          .satisfies(u -> assertThat(u.field()).isEqualTo("spec.http[0].mirror.subset"));
    }
    assertThat(ratingsV1.requests.get()).as("copies sent to ratings v1, not of the subset mirrored").isZero();
  }

  @Test
  void jasonGoesToV2EveryTimeAndEveryoneElseToV1() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match:
                - headers: { end-user: { exact: jason } }
              route:
                - destination: { host: reviews, subset: v2 }
            - route:
                - destination: { host: reviews, subset: v1 }
        """)) {
      for (int i = 0; i < 200; i++) {
        assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews/r", "end-user", "json")).isEqualTo("200 reviews-v1");
      }
    }
    assertThat(reviewsV2.requests.get()).isEqualTo(200);
    assertThat(reviewsV1.requests.get()).isEqualTo(200);
    assertThat(reviewsV3.requests.get()).isZero();
  }

  @Test
  void applicationsCallTheServicesByTheirClusterNamesAsUnderTheSidecar() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews.default.svc.cluster.local]
          http:
            - match:
                - headers: { end-user: { exact: jason } }
              route:
                - destination: { host: reviews, subset: v2 }
            - route:
                - destination: { host: reviews, subset: v1 }
        """)) {
      for (String host : List.of("reviews", "reviews.default", "reviews.default.svc",
          "reviews.default.svc.cluster.local", "REVIEWS.Default.svc.cluster.local")) {
        assertThat(body(mesh, "http://" + host + ":9080/r", "end-user", "jason")).as(host).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://" + host + ":9080/r")).as(host).isEqualTo("200 reviews-v1");
      }
      assertThat(body(mesh, "http://ratings.default.svc.cluster.local/r")).startsWith("200 ratings-v");
      // another namespace is not this service: refused by the mesh, with the name of the one meant
      assertThatThrownBy(() -> get(mesh, "http://reviews.prod.svc.cluster.local/r").close())
          .isInstanceOf(io.meshclient.api.UnknownServiceException.class)
          .hasMessageContaining("'reviews.prod.svc.cluster.local' is not a mesh service");
    }
    assertThat(reviewsV2.requests.get()).isEqualTo(5);
    assertThat(reviewsV1.requests.get()).isEqualTo(5);
  }

  @Test
  void theRatingsDelayAppliesToJasonOnlyAndTheAbortAnswers500ToJasonOnly() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: ratings }
        spec:
          hosts: [ratings]
          http:
            - match:
                - headers: { end-user: { exact: jason } }
              fault:
                delay:
                  percentage: { value: 100.0 }
                  fixedDelay: 1.5s
              route:
                - destination: { host: ratings, subset: v1 }
            - match:
                - headers: { end-user: { exact: abort-me } }
              fault:
                abort:
                  percentage: { value: 100 }
                  httpStatus: 500
              route:
                - destination: { host: ratings, subset: v1 }
            - route:
                - destination: { host: ratings, subset: v1 }
        """)) {
      body(mesh, "http://ratings/warm-up");
      // a long delay (1.5 s), so that the bound on the others (1 s) leaves a loaded machine its margin
      for (int i = 0; i < 3; i++) {
        long start = System.nanoTime();
        assertThat(body(mesh, "http://ratings/ratings/0", "end-user", "jason")).isEqualTo("200 ratings-v1");
        assertThat((System.nanoTime() - start) / 1_000_000).as("jason waits the delay").isGreaterThanOrEqualTo(1500);
        start = System.nanoTime();
        assertThat(body(mesh, "http://ratings/ratings/0", "end-user", "other")).isEqualTo("200 ratings-v1");
        assertThat((System.nanoTime() - start) / 1_000_000).as("others do not").isLessThan(1000);
      }
      int before = ratingsV1.requests.get();
      for (int i = 0; i < 20; i++) {
        try (Response r = get(mesh, "http://ratings/ratings/0", "end-user", "abort-me")) {
          assertThat(r.code()).isEqualTo(500);
        }
        assertThat(body(mesh, "http://ratings/ratings/0")).isEqualTo("200 ratings-v1");
      }
      assertThat(ratingsV1.requests.get() - before).as("aborted calls never reach the server").isEqualTo(20);
    }
  }

  @Test
  void aCrossServiceRouteAndAWeightedCrossServiceSplitAreCountedAtTheServers() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - name: to-ratings
              match: [{ uri: { prefix: /ratings } }]
              route:
                - destination: { host: ratings.default.svc.cluster.local, subset: v2 }
            - name: split
              route:
                - destination: { host: reviews, subset: v1 }
                  weight: 70
                - destination: { host: ratings, subset: v1 }
                  weight: 30
        """)) {
      for (int i = 0; i < 50; i++) {
        assertThat(body(mesh, "http://reviews/ratings/1")).isEqualTo("200 ratings-v2");
      }
      for (int i = 0; i < 2_000; i++) {
        try (Response r = get(mesh, "http://reviews/x")) {
          assertThat(r.code()).isEqualTo(200);
        }
      }
    }
    assertThat(ratingsV2.requests.get()).isEqualTo(50);
    assertThat(reviewsV1.requests.get() + ratingsV1.requests.get()).isEqualTo(2_000);
    assertThat(ratingsV1.requests.get() / 20.0).isCloseTo(30.0, Offset.offset(3.0));
    assertThat(reviewsV2.requests.get() + reviewsV3.requests.get()).isZero();
  }

  @Test
  void headerSetAddRemoveAndTheUriRewriteAreSeenByTheServer() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ uri: { prefix: /old/ } }]
              rewrite: { uri: /new/, authority: reviews.internal }
              headers:
                request:
                  set: { x-env: prod }
                  add: { x-trace: mesh }
                  remove: [x-debug]
                response:
                  remove: [x-internal]
                  set: { x-served-by: mesh }
              route:
                - destination: { host: reviews, subset: v1 }
        """)) {
      try (Response r = get(mesh, "http://reviews/old/a?b=c", "x-env", "dev", "x-trace", "app", "x-debug", "1")) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.header("x-internal")).isNull();
        assertThat(r.header("x-served-by")).isEqualTo("mesh");
      }
    }
    assertThat(reviewsV1.lastPath.get()).isEqualTo("/new/a?b=c");
    assertThat(reviewsV1.header("x-env")).containsExactly("prod");
    assertThat(reviewsV1.header("x-trace")).containsExactlyInAnyOrder("app", "mesh");
    assertThat(reviewsV1.header("x-debug")).isEmpty();
    assertThat(reviewsV1.header("host")).containsExactly("reviews.internal");
  }

  @Test
  void aUriRewriteOnARouteWithoutAUriMatchReplacesTheLeadingSlashAsEnvoysPrefixRewrite() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ headers: { end-user: { exact: jason } } }]
              rewrite: { uri: /v2/ }
              route: [{ destination: { host: reviews, subset: v2 } }]
            - rewrite: { uri: /v1/ }
              route: [{ destination: { host: reviews, subset: v1 } }]
        """)) {
      assertThat(body(mesh, "http://reviews/reviews/1?x=y", "end-user", "jason")).isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews/reviews/1?x=y")).isEqualTo("200 reviews-v1");
    }
    assertThat(reviewsV2.lastPath.get()).isEqualTo("/v2/reviews/1?x=y");
    assertThat(reviewsV1.lastPath.get()).isEqualTo("/v1/reviews/1?x=y");
  }

  @Test
  void yamlMergeKeysAreReadAsKubernetesReadsThem() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - &v2
              match: [{ headers: { end-user: { exact: jason } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - <<: *v2
              match: [{ headers: { end-user: { exact: json } } }]
            - <<: [{ match: [{ headers: { end-user: { exact: bob } } }], route: [{ destination: { host: reviews,
                subset: v1 } }] }, *v2]
        """)) {
      assertThat(body(mesh, "http://reviews/r", "end-user", "jason")).isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews/r", "end-user", "json")).isEqualTo("200 reviews-v2");
      assertThat(body(mesh, "http://reviews/r", "end-user", "bob")).as("the first block merged wins")
          .isEqualTo("200 reviews-v1");
    }
  }

  @Test
  void queryParamsWithoutHeadersAndIgnoreUriCaseMatchAsIstioDoes() throws Exception {
    bookinfo();
    try (Mesh mesh = mesh("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match:
                - queryParams: { beta: { exact: "on" } }
                - uri: { prefix: /V3/ }
                  ignoreUriCase: true
              route: [{ destination: { host: reviews, subset: v3 } }]
            - match:
                - withoutHeaders: { end-user: { exact: jason } }
                  method: { exact: GET }
              route: [{ destination: { host: reviews, subset: v1 } }]
            - route: [{ destination: { host: reviews, subset: v2 } }]
        """)) {
      assertThat(body(mesh, "http://reviews/a?beta=on")).isEqualTo("200 reviews-v3");
      assertThat(body(mesh, "http://reviews/v3/x")).isEqualTo("200 reviews-v3");
      assertThat(body(mesh, "http://reviews/a?beta=off")).isEqualTo("200 reviews-v1");
      assertThat(body(mesh, "http://reviews/a", "end-user", "jason")).isEqualTo("200 reviews-v2");
    }
  }

  @Test
  void destinationRuleOutlierDetectionEjectsAsConfigured() throws Exception {
    bookinfo();
    reviewsV3.status(500);
    Path file = dir.resolve("outliers.yaml");
    Files.writeString(file, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer: { simple: ROUND_ROBIN }
            outlierDetection:
              consecutive5xxErrors: 2
              interval: 1s
              baseEjectionTime: 1m
              maxEjectionPercent: 34
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: 0 }
        """);
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery).build()) {
      int failures = 0;
      for (int i = 0; i < 60; i++) {
        try (Response r = get(mesh, "http://reviews/r")) {
          failures += r.code() == 500 ? 1 : 0;
        }
      }
      assertThat(failures).as("ejected after 2 consecutive 5xx").isEqualTo(2);
      assertThat(reviewsV3.requests.get()).isEqualTo(2);
      assertThat(reviewsV1.requests.get() + reviewsV2.requests.get()).isEqualTo(58);
      assertThat(mesh.snapshot().toString()).contains("reviews");
    }
  }
}
