package io.meshclient.spring.boot;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.meshclient.core.metrics.MeshMetricNames;
import io.meshclient.spring.boot.testapp.Review;
import io.meshclient.spring.boot.testapp.ReviewsClient;
import io.meshclient.spring.boot.testapp.ReviewsGroupApi;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.client.RestClient;

/**
 * An application with only the starter, application.yml and annotated clients calls two WireMock
 * backends through the mesh; the backends and the mesh's request timer say so.
 */
class AnnotatedClientTest extends TestApplicationTest {
  @Autowired ReviewsClient reviews;
  @Autowired ReviewsGroupApi group;
  @Autowired RestClient.Builder restClientBuilder;
  @Autowired MeterRegistry meters;

  @BeforeEach
  void resetBackends() {
    Backends.reset();
  }

  @Test
  void meshClientSplitsTrafficEightyTwentyAsCountedByTheBackends() {
    int calls = 5000; // a random draw per call: the share's standard deviation is 0.57 points, the tolerance 3
    long timedBefore = timed("v1") + timed("v3");
    int v3Bodies = 0;
    for (int i = 0; i < calls; i++) {
      if (reviews.review(1, null).version().equals("v3")) {
        v3Bodies++;
      }
    }
    int v1 = Backends.received(Backends.V1);
    int v3 = Backends.received(Backends.V3);
    System.out.printf("@MeshClient split: v1 %d, v3 %d of %d calls (v3 %.1f%%)%n", v1, v3, calls, 100.0 * v3 / calls);
    assertThat(v1 + v3).isEqualTo(calls);
    assertThat(100.0 * v3 / calls).isCloseTo(20.0, within(3.0));
    assertThat(v3Bodies).as("JSON bodies decoded by the app's converters").isEqualTo(v3);
    assertThat(timed("v1") + timed("v3") - timedBefore).as("mesh.client.requests count").isEqualTo(calls);
    assertSentByTheMesh(Backends.V1);
    assertSentByTheMesh(Backends.V3);
  }

  @Test
  void headerRouteSendsJasonToV3Only() {
    for (int i = 0; i < 50; i++) {
      assertThat(reviews.review(1, "jason").version()).isEqualTo("v3");
    }
    assertThat(Backends.received(Backends.V3)).isEqualTo(50);
    assertThat(Backends.received(Backends.V1)).isZero();
  }

  @Test
  void jsonRequestBodiesAreWrittenWithTheApplicationsConverters() {
    Review created = reviews.post(new Review(7, "draft"));
    assertThat(created.productId()).isEqualTo(7);
    WireMockServer receiver = Backends.received(Backends.V1) == 1 ? Backends.V1 : Backends.V3;
    receiver.verify(postRequestedFor(urlEqualTo("/reviews"))
        .withRequestBody(equalToJson("{\"productId\":7,\"version\":\"draft\"}")));
  }

  @Test
  void httpServiceGroupNamedAfterAMeshServiceCallsThroughTheMesh() {
    long timedBefore = timed("v1") + timed("v3");
    for (int i = 0; i < 100; i++) {
      group.review(1);
    }
    assertThat(Backends.received(Backends.V1) + Backends.received(Backends.V3)).isEqualTo(100);
    assertThat(timed("v1") + timed("v3") - timedBefore).isEqualTo(100);
    assertSentByTheMesh(Backends.V1);
  }

  @Test
  void restClientBuilderSendsServiceHostsThroughTheMeshAndOtherHostsAsBefore() {
    RestClient client = restClientBuilder.build();
    long timedBefore = timed("v1") + timed("v3");
    for (int i = 0; i < 20; i++) {
      client.get().uri("http://reviews/reviews/1").retrieve().body(Review.class);
    }
    assertThat(timed("v1") + timed("v3") - timedBefore).isEqualTo(20);
    assertSentByTheMesh(Backends.V1);

    Backends.reset();
    Review direct = client.get().uri("http://127.0.0.1:" + Backends.V1.port() + "/reviews/1").retrieve()
        .body(Review.class);
    assertThat(direct.version()).isEqualTo("v1");
    assertThat(Backends.events(Backends.V1).get(0).getRequest().getHeader("User-Agent"))
        .as("a host that is not a mesh service keeps the app's own request factory")
        .doesNotStartWith("okhttp/");
    assertThat(timed("v1") + timed("v3") - timedBefore).isEqualTo(20);
  }

  @Test
  void interceptorsAddedToABuilderAfterBootStillRunForMeshCalls() {
    RestClient client = restClientBuilder
        .requestInterceptor((request, body, execution) -> {
          request.getHeaders().add("X-Added-Late", "yes");
          return execution.execute(request, body);
        })
        .build();
    client.get().uri("http://reviews/reviews/1").header("end-user", "jason").retrieve().body(Review.class);
    assertSentByTheMesh(Backends.V3);
    assertThat(Backends.events(Backends.V3).get(0).getRequest().getHeader("X-Added-Late")).isEqualTo("yes");
  }

  /** Every request the backend received came from OkHttp, addressed to the instance itself. */
  private static void assertSentByTheMesh(WireMockServer backend) {
    assertThat(Backends.events(backend)).isNotEmpty().allSatisfy(e -> {
      assertThat(e.getRequest().getHeader("User-Agent")).startsWith("okhttp/");
      assertThat(e.getRequest().getHeader("Host")).isEqualTo("127.0.0.1:" + backend.port());
    });
  }

  private long timed(String subset) {
    return meters.find(MeshMetricNames.REQUESTS).tag(MeshMetricNames.SERVICE, "reviews")
        .tag(MeshMetricNames.SUBSET, subset).timers().stream().mapToLong(Timer::count).sum();
  }
}
