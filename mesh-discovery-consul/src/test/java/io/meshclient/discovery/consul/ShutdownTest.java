package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.Fixtures.discovery;
import static io.meshclient.discovery.consul.Fixtures.fastSettings;
import static io.meshclient.discovery.consul.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ServiceDiscovery;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Closing a watch or the discovery stops threads at once, even mid blocking query. */
class ShutdownTest {
  private final ConsulEmulator consul = new ConsulEmulator();
  // A 30 s wait: if closing waited for the agent, these tests would take that long.
  private final ConsulDiscovery discovery =
      discovery(fastSettings(consul.url()).waitTime(Duration.ofSeconds(30)).build(), ConsulWatchListener.NONE);

  @AfterEach
  void tearDown() {
    discovery.close();
    consul.close();
  }

  private ServiceDiscovery.Watch watchUntilBlocking(String service, RecordingListener listener) {
    int before = consul.requests(ConsulEmulator.CHECKS).size();
    ServiceDiscovery.Watch watch = discovery.watch(service, listener);
    listener.awaitSnapshot(1);
    await(() -> consul.requests(ConsulEmulator.CHECKS).size() >= Math.max(2, before),
        Duration.ofSeconds(5), "the blocking query");
    return watch;
  }

  private static List<Thread> consulThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("mesh-consul-")).toList();
  }

  @Test
  void watchesRunOnNamedDaemonThreads() {
    watchUntilBlocking("reviews", new RecordingListener());

    List<Thread> feeds = discovery.agentWatch().feedThreads();
    assertThat(feeds).extracting(Thread::getName)
        .containsExactly("mesh-consul-feed-health", "mesh-consul-feed-catalog");
    assertThat(feeds).allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
  }

  @Test
  void closingTheLastWatchEndsTheBlockedQueriesAtOnceAndDeliversNothingMore() throws InterruptedException {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    RecordingListener listener = new RecordingListener();
    ServiceDiscovery.Watch watch = watchUntilBlocking("reviews", listener);
    List<Thread> feeds = discovery.agentWatch().feedThreads();

    long start = System.nanoTime();
    watch.close();

    assertThat(feeds).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(discovery.agentWatch()).isNull();
    consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));
    Thread.sleep(100);
    assertThat(listener.snapshots()).hasSize(1);
  }

  @Test
  void closingOneOfTwoWatchesStopsOnlyItsDeliveries() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    consul.register(Registration.of("ratings", "t1", "10.0.0.3", 9080));
    RecordingListener reviews = new RecordingListener();
    RecordingListener ratings = new RecordingListener();
    ServiceDiscovery.Watch watch = watchUntilBlocking("reviews", reviews);
    watchUntilBlocking("ratings", ratings);

    watch.close();
    consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));
    consul.register(Registration.of("ratings", "t2", "10.0.0.4", 9080));

    assertThat(ratings.awaitIds(2)).containsExactly("t1", "t2");
    assertThat(reviews.snapshots()).hasSize(1);
  }

  @Test
  void closingTheDiscoveryStopsEveryThread() {
    watchUntilBlocking("reviews", new RecordingListener());
    watchUntilBlocking("ratings", new RecordingListener());
    watchUntilBlocking("details", new RecordingListener());
    List<Thread> threads = consulThreads();
    assertThat(threads).hasSizeBetween(3, AgentWatch.THREADS);

    long start = System.nanoTime();
    discovery.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    await(() -> threads.stream().noneMatch(Thread::isAlive), Duration.ofSeconds(2), "the threads to end");
    assertThatThrownBy(() -> discovery.watch("reviews", new RecordingListener()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("closed: ConsulDiscovery[" + consul.url() + "]");
  }

  @Test
  void closingTwiceIsHarmless() {
    ServiceDiscovery.Watch watch = watchUntilBlocking("reviews", new RecordingListener());

    watch.close();
    watch.close();
    discovery.close();
    discovery.close();
  }
}
