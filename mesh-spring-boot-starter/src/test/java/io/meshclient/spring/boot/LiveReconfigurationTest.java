package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.testapp.ReviewsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Changing {@code mesh.*} in the environment and re-applying it swaps the split under load without
 * losing a request; an invalid change is refused and the old split keeps serving.
 */
class LiveReconfigurationTest extends TestApplicationTest {
  private static final String SOURCE = "live-change";

  @Autowired ReviewsClient reviews;
  @Autowired ConfigurableEnvironment environment;
  @Autowired MeshReconfigurer reconfigurer;
  @Autowired ApplicationEventPublisher events;
  @Autowired Mesh mesh;

  @AfterEach
  void restore() {
    environment.getPropertySources().remove(SOURCE);
    reconfigurer.reconfigure();
  }

  @Test
  void newSplitTakesEffectUnderEightThreadsOfLoadWithZeroLostRequests() throws Exception {
    try (Load load = new Load(reviews)) {
      load.awaitCalls(500);
      environment.getPropertySources().addFirst(new MapPropertySource(SOURCE, routes("20", "80")));
      reconfigurer.reconfigure();
      Backends.reset();
      int switchedAt = load.calls();
      load.awaitCalls(switchedAt + 2500); // the share's deviation: 0.8 points
      int v1 = Backends.received(Backends.V1);
      int v3 = Backends.received(Backends.V3);
      int failed = load.stop();
      System.out.printf("live reconfiguration: v3 %.1f%% of %d calls after the change, %d failed, %d calls in all%n",
          100.0 * v3 / (v1 + v3), v1 + v3, failed, load.calls());
      assertThat(100.0 * v3 / (v1 + v3)).as("v3 share after the change").isCloseTo(80.0, within(4.0));
      assertThat(failed).as("failed calls").isZero();
    }
    assertThat(mesh.config().service("reviews").routes().get(1).split()).containsEntry("v3", 80);
  }

  @Test
  void invalidChangeIsRefusedNamingTheKeyAndTheOldSplitKeepsServing() throws Exception {
    try (Load load = new Load(reviews)) {
      load.awaitCalls(500);
      environment.getPropertySources().addFirst(new MapPropertySource(SOURCE, routes("80", "-5")));
      assertThatThrownBy(() -> events.publishEvent(new MeshRefreshEvent(this)))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("mesh.services.reviews.routes[1].split.v3: -5 (expected: a weight >= 0)");
      Backends.reset();
      int refusedAt = load.calls();
      load.awaitCalls(refusedAt + 2000); // the share's deviation: 0.9 points
      int v1 = Backends.received(Backends.V1);
      int v3 = Backends.received(Backends.V3);
      assertThat(100.0 * v3 / (v1 + v3)).as("v3 share, old split").isCloseTo(20.0, within(4.5));
      assertThat(load.stop()).as("failed calls").isZero();
    }
    assertThat(mesh.config().service("reviews").routes().get(1).split()).containsEntry("v3", 20);
  }

  /**
   * application.yml's two routes with the canary split {@code v1}/{@code v3}: the whole list, since a
   * list set in a source of higher precedence replaces application.yml's whole.
   */
  private static Map<String, Object> routes(String v1, String v3) {
    return Map.of(
        "mesh.services.reviews.routes[0].name", "jason",
        "mesh.services.reviews.routes[0].match.headers.end-user.exact", "jason",
        "mesh.services.reviews.routes[0].to", "v3",
        "mesh.services.reviews.routes[1].name", "canary",
        "mesh.services.reviews.routes[1].split.v1", v1,
        "mesh.services.reviews.routes[1].split.v3", v3);
  }

  /** Eight threads calling reviews as fast as they can, counting calls and failures. */
  private static final class Load implements AutoCloseable {
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final List<Future<?>> workers = new ArrayList<>();

    Load(ReviewsClient reviews) {
      for (int t = 0; t < 8; t++) {
        workers.add(pool.submit(() -> {
          while (running.get()) {
            try {
              reviews.review(1, null);
            } catch (RuntimeException e) {
              failures.incrementAndGet();
              firstFailure.compareAndSet(null, e);
            }
            calls.incrementAndGet();
          }
        }));
      }
    }

    int calls() {
      return calls.get();
    }

    void awaitCalls(int count) throws InterruptedException {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (calls.get() < count && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(calls.get()).as("calls made within 60 s (a hang guard, not a throughput target)").isGreaterThanOrEqualTo(count);
    }

    /** Stops the threads and returns the number of failed calls. */
    int stop() throws Exception {
      running.set(false);
      for (Future<?> worker : workers) {
        worker.get();
      }
      if (firstFailure.get() != null) {
        throw new AssertionError(failures.get() + " calls failed", firstFailure.get());
      }
      return failures.get();
    }

    @Override
    public void close() {
      running.set(false);
      pool.shutdownNow();
    }
  }
}
