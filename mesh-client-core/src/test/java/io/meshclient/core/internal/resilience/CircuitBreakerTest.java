package io.meshclient.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.meshclient.api.CircuitBreakerOpenException;
import io.meshclient.core.Backend;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.BreakerConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CircuitBreakerTest {
  private final FakeTicker ticker = new FakeTicker();
  private final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  private Mesh mesh(Backend backend, BreakerConfig breaker) {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("pay", List.of(backend.instance("pay", Map.of())));
    return Mesh.builder().ticker(ticker).discovery("memory", discovery).meterRegistry(meters)
        .config(MeshConfig.builder().service(ServiceConfig.builder("pay").circuitBreaker(breaker)
            .retry(RetryConfig.NONE).outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build()).build())
        .build();
  }

  private static int get(Mesh mesh) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://pay/charge").build()).execute()) {
      return response.code();
    }
  }

  @Test
  void openCircuitRejectsWithoutNetworkIo() throws Exception {
    try (Backend backend = new Backend("pay").status(503);
        Mesh mesh = mesh(backend, BreakerConfig.DEFAULT.withWindow(4, 4))) {
      for (int i = 0; i < 4; i++) {
        assertThat(get(mesh)).isEqualTo(503);
      }
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(CircuitBreakerOpenException.class)
          .hasMessage("circuit breaker of service 'pay' is open; call refused without I/O");
      assertThat(backend.requests()).isEqualTo(4);
      assertThat(mesh.circuitBreakerRegistry().circuitBreaker("pay").getState()).isEqualTo(CircuitBreaker.State.OPEN);
      assertThat(meters.get("mesh.client.requests").tag("error", "refused").timer().count())
          .as("a refusal is counted as one, not as a cancellation").isEqualTo(1);
    }
  }

  /**
   * A mesh without breakers creates no breaker registry (a start-up saving); a breaker added later by
   * a reconfiguration still gets its registry, its meters and its effect.
   */
  @Test
  void aBreakerAddedByReconfigurationIsMeteredAndOpens() throws Exception {
    try (Backend backend = new Backend("pay").status(503); Mesh mesh = mesh(backend, null)) {
      assertThat(get(mesh)).isEqualTo(503);
      assertThat(meters.find("resilience4j.circuitbreaker.state").meters()).as("no breaker, no breaker meters").isEmpty();

      mesh.reconfigure(MeshConfig.builder().service(ServiceConfig.builder("pay")
          .circuitBreaker(BreakerConfig.DEFAULT.withWindow(4, 4)).retry(RetryConfig.NONE)
          .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build()).build());
      for (int i = 0; i < 4; i++) {
        assertThat(get(mesh)).isEqualTo(503);
      }
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(CircuitBreakerOpenException.class);
      assertThat(backend.requests()).isEqualTo(5);
      assertThat(meters.get("resilience4j.circuitbreaker.state").tag("name", "pay").tag("state", "open").gauge().value())
          .as("the breaker's state gauge, bound when the registry was created").isEqualTo(1.0);
      assertThat(mesh.circuitBreakerRegistry().circuitBreaker("pay").getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }
  }

  @Test
  void halfOpenLetsExactlyTheConfiguredProbesThroughWhen64ThreadsRace() throws Exception {
    int threads = 64;
    int probes = 3;
    AtomicInteger refusedThisRound = new AtomicInteger();
    AtomicInteger reachedThisRound = new AtomicInteger();
    CountDownLatch[] release = {new CountDownLatch(1)};
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Backend backend = new Backend("pay");
        Mesh mesh = mesh(backend, BreakerConfig.DEFAULT.withWindow(4, 4).withHalfOpenProbes(probes)
            .withOpenFor(Duration.ofSeconds(10)))) {
      backend.onRequest(() -> {
        reachedThisRound.incrementAndGet();
        // hold each probe's response until every other caller has been refused (or give up after 5 s)
        release[0].await(5, TimeUnit.SECONDS);
      });
      CircuitBreaker breaker = mesh.circuitBreakerRegistry().circuitBreaker("pay");
      for (int round = 0; round < 100; round++) {
        breaker.transitionToOpenState();
        ticker.advance(Duration.ofSeconds(11));
        refusedThisRound.set(0);
        reachedThisRound.set(0);
        release[0] = new CountDownLatch(1);
        CountDownLatch releaseNow = release[0];
        CyclicBarrier start = new CyclicBarrier(threads);
        int requestsBefore = backend.requests();
        int connectionsBefore = backend.connections();
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          results.add(pool.submit(() -> {
            start.await();
            try {
              return get(mesh);
            } catch (CircuitBreakerOpenException e) {
              if (refusedThisRound.incrementAndGet() == threads - probes) {
                releaseNow.countDown();
              }
              return -1;
            }
          }));
        }
        int ok = 0;
        for (Future<Integer> f : results) {
          ok += f.get(20, TimeUnit.SECONDS) == 200 ? 1 : 0;
        }
        assertThat(ok).as("round %d: probes answered", round).isEqualTo(probes);
        assertThat(refusedThisRound.get()).as("round %d: refused", round).isEqualTo(threads - probes);
        assertThat(backend.requests() - requestsBefore).as("round %d: reached the server", round).isEqualTo(probes);
        assertThat(backend.connections() - connectionsBefore).as("round %d: new connections", round)
            .isLessThanOrEqualTo(probes);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void cancelledCallReleasesItsHalfOpenPermit() throws Exception {
    try (Backend backend = new Backend("pay");
        Mesh mesh = mesh(backend, BreakerConfig.DEFAULT.withWindow(4, 4).withHalfOpenProbes(1))) {
      CountDownLatch hold = new CountDownLatch(1);
      backend.onRequest(() -> hold.await(5, TimeUnit.SECONDS));
      CircuitBreaker breaker = mesh.circuitBreakerRegistry().circuitBreaker("pay");
      breaker.transitionToOpenState();
      ticker.advance(Duration.ofSeconds(11));
      okhttp3.Call call = mesh.httpClient().newCall(new Request.Builder().url("http://pay/slow").build());
      Future<?> running = Executors.newSingleThreadExecutor().submit(() -> {
        try (Response r = call.execute()) {
          return r.code();
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (backend.requests() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(CircuitBreakerOpenException.class);
      call.cancel();
      assertThatThrownBy(() -> running.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
      hold.countDown();
      assertThat(get(mesh)).as("the released permit lets the next probe through").isEqualTo(200);
    }
  }
}
