package io.meshclient.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.OutlierConfig.FailurePercentage;
import io.meshclient.core.config.OutlierConfig.SuccessRate;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Envoy's failure-percentage and success-rate ejection on five real loopback servers, round robin, on a fake
 * clock. The last server fails every fourth call it gets with a 503: never two in a row, so consecutive
 * failures never eject it, and 25% of its calls.
 */
@Timeout(30)
class RateEjectionTest {
  private final FakeTicker ticker = new FakeTicker();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Backend> backends = new ArrayList<>();
  private Backend bad;

  @BeforeEach
  void start() throws IOException {
    for (String name : List.of("a", "b", "c", "d")) {
      backends.add(new Backend(name));
    }
    bad = new Backend("e");
    bad.onRequest(() -> bad.status(bad.requests() % 4 == 0 ? 503 : 200));
    backends.add(bad);
  }

  @AfterEach
  void stop() {
    backends.forEach(Backend::close);
  }

  private Mesh mesh(FailurePercentage failures, SuccessRate rates) {
    return OutlierEjectionTest.mesh(ticker, events,
        OutlierConfig.DEFAULT.withRateEjection(Duration.ofSeconds(10), failures, rates),
        backends.toArray(Backend[]::new));
  }

  private static void send(Mesh mesh, int n) throws IOException {
    OutlierEjectionTest.send(mesh, n);
  }

  /** 20 calls to each instance, then a judgment: nothing is ejected. */
  private void assertAJudgmentEjectsNothing(Mesh mesh) throws IOException {
    send(mesh, 100);
    ticker.advance(Duration.ofSeconds(10));
    send(mesh, 10);
    assertThat(events).isEmpty();
  }

  @Test
  void anInstanceFailingAtLeastTheThresholdIsEjectedAtTheNextJudgmentOnly() throws Exception {
    try (Mesh mesh = mesh(new FailurePercentage(20, 10, 5), SuccessRate.OFF)) {
      send(mesh, 100); // 20 calls each; 5 of the bad one's failed (25%)
      ticker.advance(Duration.ofSeconds(9));
      send(mesh, 5);
      assertThat(events).as("judged once per interval, not on every failure").isEmpty();
      ticker.advance(Duration.ofSeconds(1));
      send(mesh, 1);
      assertThat(events).containsExactly("ejected e for PT30S");
      int before = bad.requests();
      send(mesh, 40);
      assertThat(bad.requests()).as("ejected: no traffic").isEqualTo(before);
      ticker.advance(Duration.ofSeconds(31));
      send(mesh, 5);
      assertThat(events).containsExactly("ejected e for PT30S", "returned e");
    }
  }

  @Test
  void anInstanceUnderTheThresholdIsKept() throws Exception {
    try (Mesh mesh = mesh(new FailurePercentage(30, 10, 5), SuccessRate.OFF)) {
      assertAJudgmentEjectsNothing(mesh);
    }
  }

  @Test
  void nothingIsJudgedWhileTooFewInstancesHaveMinRequests() throws Exception {
    try (Mesh mesh = mesh(new FailurePercentage(20, 21, 5), SuccessRate.OFF)) {
      assertAJudgmentEjectsNothing(mesh); // 20 calls each: under min-requests
    }
    try (Mesh mesh = mesh(new FailurePercentage(20, 10, 6), SuccessRate.OFF)) {
      assertAJudgmentEjectsNothing(mesh); // 5 instances judged, 6 needed
    }
  }

  @Test
  void anInstanceWhoseSuccessRateIsFarBelowItsPeersIsEjected() throws Exception {
    // rates 1, 1, 1, 1 and 0.75: mean 0.95, standard deviation 0.1, so the limit is 0.95 - 1.5 x 0.1 = 0.8
    try (Mesh mesh = mesh(FailurePercentage.OFF, new SuccessRate(1.5, 10, 5))) {
      send(mesh, 100);
      ticker.advance(Duration.ofSeconds(10));
      send(mesh, 1);
      assertThat(events).containsExactly("ejected e for PT30S");
      int before = bad.requests();
      send(mesh, 40);
      assertThat(bad.requests()).isEqualTo(before);
    }
  }

  @Test
  void successRatesWithinTheStandardDeviationsEjectNothing() throws Exception {
    // the same rates against a limit of 0.95 - 3 x 0.1 = 0.65
    try (Mesh mesh = mesh(FailurePercentage.OFF, new SuccessRate(3, 10, 5))) {
      assertAJudgmentEjectsNothing(mesh);
    }
    bad.onRequest(() -> { }); // all healthy: no deviation, nothing below the mean
    bad.status(200);
    try (Mesh mesh = mesh(FailurePercentage.OFF, new SuccessRate(0.1, 10, 5))) {
      assertAJudgmentEjectsNothing(mesh);
    }
  }

  @Test
  void eachIntervalJudgesOnlyItsOwnCalls() throws Exception {
    try (Mesh mesh = mesh(new FailurePercentage(20, 10, 5), SuccessRate.OFF)) {
      bad.onRequest(() -> bad.status(200));
      send(mesh, 100); // a healthy interval
      ticker.advance(Duration.ofSeconds(10));
      send(mesh, 1); // judged: nothing; counts reset
      bad.onRequest(() -> bad.status(bad.requests() % 2 == 0 ? 503 : 200));
      send(mesh, 59); // the bad one's first failures: about half of its 11 or 12 calls
      ticker.advance(Duration.ofSeconds(10));
      send(mesh, 1);
      assertThat(events).as("half of this interval's calls, not a sixth over both").containsExactly("ejected e for PT30S");
    }
  }
}
