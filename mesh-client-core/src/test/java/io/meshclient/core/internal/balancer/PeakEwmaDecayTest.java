package io.meshclient.core.internal.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peak EWMA reads an instance's cost decayed by the time since its last response, on real loopback servers
 * and a fake clock: each server moves the clock by its own latency while it answers, so the latency the
 * mesh measures is exactly that, and the test moves the clock 1 s before each request, a steady trickle
 * of traffic. The decay is the default, 10 s.
 */
@Timeout(30)
class PeakEwmaDecayTest {
  private final FakeTicker ticker = new FakeTicker();
  private volatile long slowMillis = 20;
  private Backend a;
  private Backend b;
  private Backend c;

  @BeforeEach
  void start() throws IOException {
    a = latency(new Backend("a"), () -> 1);
    b = latency(new Backend("b"), () -> 1);
    c = latency(new Backend("c"), () -> slowMillis);
  }

  private Backend latency(Backend backend, LongSupplier millis) {
    return backend.onRequest(() -> ticker.advance(Duration.ofMillis(millis.getAsLong())));
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    c.close();
  }

  private Mesh mesh() {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api",
        List.of(a.instance("api", Map.of()), b.instance("api", Map.of()), c.instance("api", Map.of())));
    return Mesh.builder().ticker(ticker).discovery("memory", discovery)
        .config(MeshConfig.builder().service(ServiceConfig.builder("api").loadBalancer("peak-ewma")
            .retry(RetryConfig.NONE).outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build()).build())
        .build();
  }

  private static void send(Mesh mesh) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
      response.body().string();
    }
  }

  /** Sends until c has answered once: then c's cost is 20 ms, a's and b's at most 1 ms. */
  private void untilTheSlowOneAnswered(Mesh mesh) throws IOException {
    for (int i = 0; i < 100 && c.requests() == 0; i++) {
      send(mesh); // an unmeasured instance wins every draw, so c is taken as soon as it is drawn
    }
    assertThat(c.requests()).isEqualTo(1);
  }

  /** Sends one request per second of clock for {@code seconds}; returns how many of them c answered. */
  private int trickle(Mesh mesh, int seconds) throws IOException {
    int before = c.requests();
    for (int s = 0; s < seconds; s++) {
      ticker.advance(Duration.ofSeconds(1));
      send(mesh);
    }
    return c.requests() - before;
  }

  @Test
  void aRecoveredInstanceIsTriedAgainOnceItsDecayedCostFallsBelowTheOthers() throws Exception {
    try (Mesh mesh = mesh()) {
      untilTheSlowOneAnswered(mesh);
      slowMillis = 1;
      // 20 ms x exp(-t / 10 s) stays above a's and b's 1 ms until t = 10 s x ln 20 = 30 s.
      assertThat(trickle(mesh, 29)).as("c before its cost decayed below 1 ms").isZero();
      assertThat(trickle(mesh, 21)).as("c within 50 s, five decay times").isPositive();
      assertThat(trickle(mesh, 30)).as("c, as fast as the others again, takes about a third").isGreaterThan(5);
    }
  }

  @Test
  void anInstanceStillSlowWhenTriedAgainIsAvoidedAgainForAsLong() throws Exception {
    try (Mesh mesh = mesh()) {
      untilTheSlowOneAnswered(mesh);
      // Tried after 30 s to 50 s; its 20 ms answer replaces the decayed cost, so not again for 30 s.
      assertThat(trickle(mesh, 50)).isEqualTo(1);
    }
  }
}
