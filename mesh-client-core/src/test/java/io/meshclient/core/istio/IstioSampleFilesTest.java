package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.IstioReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Istio's own sample files, unchanged (test resources under {@code istio/upstream/}, each citing its source and
 * commit), loaded as a user loads them and called on real servers on 127.0.0.1: each does what Istio's tasks say
 * it does, or is refused naming the file, the resource and the field.
 */
@Timeout(120)
class IstioSampleFilesTest extends BookinfoIstioTest {
  private static final Path UPSTREAM = Path.of("src", "test", "resources", "istio", "upstream");

  private LoopbackServer detailsV1;

  /** Bookinfo's servers, details and productpage too, which destination-rule-all.yaml names. */
  private void allOfBookinfo() throws IOException {
    bookinfo();
    detailsV1 = server("details-v1");
    discovery.set("details", List.of(detailsV1.instance("details", Map.of("version", "v1"))))
        .set("productpage", List.of(server("productpage-v1").instance("productpage", Map.of("version", "v1"))));
  }

  /** A mesh reading a directory that holds {@code samples}, as copied from Istio. */
  private Mesh load(String... samples) throws IOException {
    Path istio = Files.createDirectories(dir.resolve("istio"));
    for (String sample : samples) {
      Files.copy(UPSTREAM.resolve(sample), istio.resolve(sample));
    }
    return Mesh.builder().istioConfig(istio).discovery("memory", discovery).random(new SplittableRandom(7)).build();
  }

  @Test
  void reviewsTestV2SendsJasonToV2AndEveryoneElseToV1() throws Exception {
    allOfBookinfo();
    try (Mesh mesh = load("destination-rule-all.yaml", "virtual-service-reviews-test-v2.yaml")) {
      for (int i = 0; i < 20; i++) {
        assertThat(body(mesh, "http://reviews:9080/reviews/0", "end-user", "jason")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews:9080/reviews/0", "end-user", "alice")).isEqualTo("200 reviews-v1");
        assertThat(body(mesh, "http://reviews:9080/reviews/0")).isEqualTo("200 reviews-v1");
      }
      assertThat(mesh.istioReport().unsupported()).isEmpty();
    }
    assertThat(reviewsV3.requests.get()).isZero();
  }

  @Test
  void reviewsJasonV2V3SendsJasonToV2AndEveryoneElseToV3() throws Exception {
    allOfBookinfo();
    try (Mesh mesh = load("destination-rule-all.yaml", "virtual-service-reviews-jason-v2-v3.yaml")) {
      for (int i = 0; i < 20; i++) {
        assertThat(body(mesh, "http://reviews/reviews/0", "end-user", "jason")).isEqualTo("200 reviews-v2");
        assertThat(body(mesh, "http://reviews/reviews/0", "end-user", "Jason")).isEqualTo("200 reviews-v3");
      }
    }
    assertThat(reviewsV1.requests.get()).isZero();
  }

  @Test
  void reviewsNinetyTenAndFiftyFiftySplitWithinTwoPointsOverFourThousandCalls() throws Exception {
    allOfBookinfo();
    try (Mesh mesh = load("destination-rule-all.yaml", "virtual-service-reviews-90-10.yaml")) {
      send(mesh, 4000);
    }
    assertThat(reviewsV1.requests.get() + reviewsV2.requests.get()).isEqualTo(4000);
    assertThat(reviewsV2.requests.get() / 40.0).isCloseTo(10.0, Offset.offset(2.0));
    reviewsV1.requests.set(0);
    reviewsV2.requests.set(0);
    Files.delete(dir.resolve("istio").resolve("virtual-service-reviews-90-10.yaml"));
    try (Mesh mesh = load("virtual-service-reviews-50-v3.yaml")) {
      send(mesh, 4000);
    }
    assertThat(reviewsV1.requests.get() + reviewsV3.requests.get()).isEqualTo(4000);
    assertThat(reviewsV2.requests.get()).isZero();
    assertThat(reviewsV3.requests.get() / 40.0).isCloseTo(50.0, Offset.offset(2.0));
  }

  private static void send(Mesh mesh, int calls) throws IOException {
    for (int i = 0; i < calls; i++) {
      try (Response r = get(mesh, "http://reviews/reviews/0")) {
        assertThat(r.code()).isEqualTo(200);
      }
    }
  }

  @Test
  void detailsFaultInjectionAnswers555ToEveryCallWithoutReachingDetails() throws Exception {
    allOfBookinfo();
    try (Mesh mesh = load("fault-injection-details-v1.yaml")) {
      for (int i = 0; i < 10; i++) {
        assertThat(get(mesh, "http://details:9080/details/0").code()).isEqualTo(555);
      }
    }
    assertThat(detailsV1.requests.get()).isZero();
  }

  @Test
  void ratingsTestAbortAnswers500ToJasonOnlyWithoutReachingRatings() throws Exception {
    allOfBookinfo();
    try (Mesh mesh = load("destination-rule-all.yaml", "virtual-service-ratings-test-abort.yaml")) {
      for (int i = 0; i < 10; i++) {
        assertThat(get(mesh, "http://ratings:9080/ratings/0", "end-user", "jason").code()).isEqualTo(500);
      }
      assertThat(ratingsV1.requests.get()).isZero();
      assertThat(body(mesh, "http://ratings:9080/ratings/0", "end-user", "alice")).isEqualTo("200 ratings-v1");
    }
    assertThat(ratingsV2.requests.get()).isZero();
  }

  @Test
  void ratingsTestDelayHoldsJasonSevenSecondsAndNoOneElse() throws Exception {
    allOfBookinfo();
    try (Mesh mesh = load("destination-rule-all.yaml", "virtual-service-ratings-test-delay.yaml")) {
      long start = System.nanoTime();
      assertThat(body(mesh, "http://ratings/ratings/0")).isEqualTo("200 ratings-v1");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
      start = System.nanoTime();
      assertThat(body(mesh, "http://ratings/ratings/0", "end-user", "jason")).isEqualTo("200 ratings-v1");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(7000L, 11_000L);
    }
  }

  @Test
  void theRequestTimeoutTaskCutsReviewsAtHalfASecondAndDelaysRatingsTwoSeconds() throws Exception {
    allOfBookinfo();
    try (Mesh mesh = load("destination-rule-all.yaml", "request-timeouts.yaml")) {
      assertThat(mesh.config().service("reviews").routes().get(0).timeout()).hasMillis(500);
      long start = System.nanoTime();
      assertThat(body(mesh, "http://ratings/ratings/0")).isEqualTo("200 ratings-v1");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(2000L, 6000L);
      assertThat(body(mesh, "http://reviews/reviews/0")).isEqualTo("200 reviews-v2");
    }
  }

  @Test
  void theMirroringTaskSendsEachCallToV1AndACopyToV2() throws Exception {
    LoopbackServer v1 = server("httpbin-v1");
    LoopbackServer v2 = server("httpbin-v2");
    discovery = new InMemoryDiscovery().set("httpbin", List.of(
        v1.instance("httpbin", Map.of("app", "httpbin", "version", "v1")),
        v2.instance("httpbin", Map.of("app", "httpbin", "version", "v2"))));
    try (Mesh mesh = load("mirroring-httpbin.yaml")) {
      for (int i = 0; i < 10; i++) {
        assertThat(body(mesh, "http://httpbin:8000/headers")).isEqualTo("200 httpbin-v1");
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (v2.requests.get() < 10 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    assertThat(v1.requests.get()).isEqualTo(10);
    assertThat(v2.requests.get()).as("mirrorPercent: 100").isEqualTo(10);
  }

  @Test
  void theCircuitBreakingRuleReportsTheConnectionLimitsOkHttpLacks() throws Exception {
    discovery = new InMemoryDiscovery().set("httpbin", List.of(
        server("httpbin").instance("httpbin", Map.of())));
    try (Mesh mesh = load("circuit-breaking-httpbin.yaml")) {
      assertThat(mesh.istioReport().unsupported()).extracting(IstioReport.Unsupported::field).containsExactly(
          "spec.trafficPolicy.connectionPool.tcp.maxConnections",
          "spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests",
          "spec.trafficPolicy.connectionPool.http.maxRequestsPerConnection");
      assertThat(body(mesh, "http://httpbin:8000/get")).isEqualTo("200 httpbin");
    }
  }

  @Test
  void theLocalityDistributeRuleIsReportedAsWeightsTheMeshDoesNotApply() throws Exception {
    discovery = new InMemoryDiscovery().callerZone("zone1").set("helloworld.sample", List.of(
        server("helloworld").instance("helloworld.sample", Map.of())));
    try (Mesh mesh = load("locality-distribute-helloworld.yaml")) {
      assertThat(mesh.istioReport().unsupported()).singleElement().satisfies(u -> {
        assertThat(u.field()).isEqualTo("spec.trafficPolicy.loadBalancer.localityLbSetting.distribute");
        assertThat(u.resource()).isEqualTo("DestinationRule default/helloworld");
      });
      assertThat(body(mesh, "http://helloworld.sample.svc.cluster.local:5000/hello")).isEqualTo("200 helloworld");
    }
  }

  @Test
  void theMutualTlsRulesAreRefusedWithoutCertificatesNamingEachRule() throws Exception {
    allOfBookinfo();
    assertThatThrownBy(() -> load("destination-rule-all-mtls.yaml")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(dir.resolve("istio").resolve("destination-rule-all-mtls.yaml")
            + ": DestinationRule default/reviews: spec.trafficPolicy.tls.mode: ISTIO_MUTUAL (expected: DISABLE, "
            + "SIMPLE or MUTUAL with caCertificates, clientCertificate and privateKey files: ISTIO_MUTUAL needs "
            + "istiod's certificates, which this mesh has only when mesh.services.reviews.tls names certificate "
            + "files)")
        .hasMessageContaining("DestinationRule default/productpage: spec.trafficPolicy.tls.mode: ISTIO_MUTUAL")
        .hasMessageContaining("DestinationRule default/ratings: spec.trafficPolicy.tls.mode: ISTIO_MUTUAL")
        .hasMessageContaining("DestinationRule default/details: spec.trafficPolicy.tls.mode: ISTIO_MUTUAL");
  }

  @Test
  void theIngressGatewaysVirtualServiceIsIgnoredAndTheGatewayReported() throws Exception {
    allOfBookinfo();
    try (Mesh mesh = load("bookinfo-gateway.yaml", "virtual-service-all-v1.yaml", "destination-rule-all.yaml")) {
      assertThat(mesh.istioReport().ignored()).hasSize(2).anySatisfy(line -> assertThat(line)
          .startsWith("VirtualService default/bookinfo")).anySatisfy(line -> assertThat(line)
          .startsWith("Gateway default/bookinfo-gateway (").endsWith("): configuration of gateways, not of the calls "
              + "this mesh makes; skipped"));
      assertThat(mesh.istioReport().unsupported()).isEmpty();
      assertThat(body(mesh, "http://reviews/reviews/0", "end-user", "jason")).isEqualTo("200 reviews-v1");
      assertThat(body(mesh, "http://ratings/ratings/0")).isEqualTo("200 ratings-v1");
    }
  }

  @Test
  void aPortLevelTlsOriginationIsRefusedRatherThanCallingInPlainHttp() throws Exception {
    // Istio's egress sample routes port 80 to 443 and originates TLS there with portLevelSettings; the mesh has one
    // port per service, so loading the rest of the file would call www.googleapis.com in plain HTTP.
    discovery = new InMemoryDiscovery();
    assertThatThrownBy(() -> load("egress-rule-google-apis.yaml")).isInstanceOf(ConfigurationException.class)
        .hasMessage(dir.resolve("istio").resolve("egress-rule-google-apis.yaml") + ": DestinationRule "
            + "default/originate-tls-for-googleapis: spec.trafficPolicy.portLevelSettings[0].tls.mode: SIMPLE "
            + "(expected: DISABLE, or the TLS settings at spec.trafficPolicy.tls: the mesh applies no per-port "
            + "settings (a service has one port here), and leaving this out would send plain HTTP where Istio sends "
            + "TLS)");
  }
}
