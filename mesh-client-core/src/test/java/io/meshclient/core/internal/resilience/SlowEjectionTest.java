package io.meshclient.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.OutlierConfig.SlowEjection;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow ejection on real loopback servers, on a fake clock: each server moves the clock by its own latency
 * while it handles a request, so the attempt's measured latency is exactly that, whatever the machine does.
 */
@Timeout(30)
class SlowEjectionTest {
  private final FakeTicker ticker = new FakeTicker();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private Backend a;
  private Backend b;
  private Backend c;

  @BeforeEach
  void start() throws IOException {
    a = latency(new Backend("a"), 1);
    b = latency(new Backend("b"), 1);
    c = latency(new Backend("c"), 20);
  }

  private Backend latency(Backend backend, long millis) {
    return backend.onRequest(() -> ticker.advance(Duration.ofMillis(millis)));
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    c.close();
  }

  private Mesh mesh(SlowEjection slow) {
    return OutlierEjectionTest.mesh(ticker, events, OutlierConfig.DEFAULT.withSlowEjection(slow), a, b, c);
  }

  private static void send(Mesh mesh, int n) throws IOException {
    OutlierEjectionTest.send(mesh, n);
  }

  @Test
  void anInstanceOverFactorTimesTheMedianIsEjectedAtTheNextComparisonAndReturnsLikeAFailingOne() throws Exception {
    try (Mesh mesh = mesh(new SlowEjection(5, Duration.ofSeconds(1), 5, 3))) {
      send(mesh, 30); // 10 each, 220 ms of clock: no comparison yet
      assertThat(events).isEmpty();
      ticker.advance(Duration.ofSeconds(1));
      send(mesh, 1); // the first response after the interval compares: c's 20 ms > 5 x 1 ms
      assertThat(events).containsExactly("ejected c for PT30S");
      int before = c.requests();
      send(mesh, 40);
      assertThat(c.requests()).as("ejected: no traffic").isEqualTo(before);
      assertThat(a.requests() + b.requests()).isEqualTo(71 - before);
      ticker.advance(Duration.ofSeconds(31));
      send(mesh, 30);
      assertThat(events).containsExactly("ejected c for PT30S", "returned c");
      assertThat(c.requests()).as("back in the rotation").isGreaterThan(before);
      ticker.advance(Duration.ofSeconds(1));
      send(mesh, 1);
      assertThat(events).as("still slow: ejected again, for twice as long")
          .containsExactly("ejected c for PT30S", "returned c", "ejected c for PT1M");
    }
  }

  @Test
  void aSlowerInstanceWithinTheFactorStays() throws Exception {
    c.close();
    c = latency(new Backend("c"), 4);
    try (Mesh mesh = mesh(new SlowEjection(5, Duration.ofSeconds(1), 5, 3))) {
      for (int i = 0; i < 5; i++) {
        send(mesh, 30);
        ticker.advance(Duration.ofSeconds(1));
      }
      send(mesh, 30);
      assertThat(events).isEmpty();
      assertThat(c.requests()).isEqualTo(60);
    }
  }

  @Test
  void nothingIsJudgedOnTooFewResponsesOrTooFewInstances() throws Exception {
    try (Mesh mesh = mesh(new SlowEjection(5, Duration.ofSeconds(1), 11, 3))) {
      send(mesh, 30); // 10 responses each: below min-requests
      ticker.advance(Duration.ofSeconds(1));
      send(mesh, 1);
      assertThat(events).as("under min-requests").isEmpty();
    }
    try (Mesh mesh = mesh(new SlowEjection(5, Duration.ofSeconds(1), 5, 4))) {
      send(mesh, 30);
      ticker.advance(Duration.ofSeconds(1));
      send(mesh, 1);
      assertThat(events).as("3 instances judged, 4 needed").isEmpty();
    }
  }

  @Test
  void offByDefault() throws Exception {
    assertThat(OutlierConfig.DEFAULT.slowEjection().enabled()).isFalse();
    try (Mesh mesh = mesh(SlowEjection.OFF)) {
      send(mesh, 30);
      ticker.advance(Duration.ofSeconds(5));
      send(mesh, 30);
      assertThat(events).isEmpty();
      assertThat(c.requests()).isEqualTo(20);
    }
  }
}
