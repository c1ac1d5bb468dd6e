package io.meshclient.samples.bookinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bookinfo starts, and what its services count matches the routes in its configuration. */
class BookinfoTest {
  private static Bookinfo bookinfo;

  @BeforeAll
  static void start() throws Exception {
    bookinfo = Bookinfo.start();
  }

  @AfterAll
  static void stop() {
    bookinfo.close();
  }

  @Test
  void servicesCountTheSplitAndTheHeaderRouteConfiguredInProductPage() throws Exception {
    TrafficDriver.Result traffic = new TrafficDriver(bookinfo.port("productpage"), 4).run(800, 100);
    TrafficSummary summary = TrafficSummary.collect(bookinfo, traffic);

    assertThat(traffic.failed()).isZero();
    assertThat(summary.count("productpage", "requests")).isEqualTo(900);
    assertThat(summary.count("details", "requests")).isEqualTo(900);
    assertThat(summary.count("reviews-v2", "requests.user.jason")).isEqualTo(100);
    assertThat(summary.count("reviews-v1", "requests.user.jason") + summary.count("reviews-v3", "requests.user.jason"))
        .isZero();
    assertThat(summary.count("reviews-v2", "requests.anonymous")).isZero();
    // 800 random draws: the share's standard deviation is 1.41 points; 6.5 points is over 4.5 of them
    assertThat(summary.anonymousShare("v3")).isCloseTo(20.0, within(6.5));
    assertThat(summary.anonymousShare("v1")).isCloseTo(80.0, within(6.5));
    long ratingsCalls = summary.count("reviews-v2", "ratings.ok") + summary.count("reviews-v3", "ratings.ok");
    assertThat(summary.count("ratings", "requests")).as("ratings served what reviews got").isEqualTo(ratingsCalls);
    assertThat(summary.render()).contains("counted by the services that received the calls");
  }

  @Test
  void rateLimitOnRatingsRefusesABurstBeforeAnyIoAndRatingsNeverSeesTheRefusedCalls() throws Exception {
    TrafficSummary before = TrafficSummary.collect(bookinfo, null);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + bookinfo.port("reviews-v2") + "/reviews/0"))
        .header("end-user", "burst-test").build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    long start = System.nanoTime();
    try {
      List<Future<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(pool.submit(() -> http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()));
      }
      for (Future<Integer> call : calls) {
        assertThat(call.get()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    TrafficSummary after = TrafficSummary.collect(bookinfo, null);
    long refused = after.count("reviews-v2", "ratings.rate-limited") - before.count("reviews-v2", "ratings.rate-limited");
    long served = after.count("ratings", "requests") - before.count("ratings", "requests");
    assertThat(refused).isPositive();
    assertThat(refused + served).isEqualTo(200);
    assertThat((double) served).as("at most burst 10 + 50/s").isLessThanOrEqualTo(10 + 50 * seconds + 1);
  }
}
