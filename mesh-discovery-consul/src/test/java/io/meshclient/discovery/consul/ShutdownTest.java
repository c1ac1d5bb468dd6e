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

  private HealthWatch watchUntilBlocking(String service, RecordingListener listener) {
    int before = consul.requests().size();
    HealthWatch watch = (HealthWatch) discovery.watch(service, listener);
    listener.awaitSnapshot(1);
    await(() -> consul.requests().size() >= before + 2, Duration.ofSeconds(5), "the blocking query");
    return watch;
  }

  @Test
  void watchRunsOnANamedDaemonThread() {
    HealthWatch watch = watchUntilBlocking("reviews", new RecordingListener());

    assertThat(watch.thread().isDaemon()).isTrue();
    assertThat(watch.thread().getName()).isEqualTo("mesh-consul-watch-reviews");
  }

  @Test
  void closingAWatchEndsItsBlockedQueryAtOnceAndDeliversNothingMore() throws InterruptedException {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    RecordingListener listener = new RecordingListener();
    HealthWatch watch = watchUntilBlocking("reviews", listener);

    long start = System.nanoTime();
    watch.close();
    watch.thread().join(1_000);

    assertThat(watch.thread().isAlive()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));
    Thread.sleep(100);
    assertThat(listener.snapshots()).hasSize(1);
  }

  @Test
  void closingTheDiscoveryStopsEveryWatch() {
    List<HealthWatch> watches = List.of(watchUntilBlocking("reviews", new RecordingListener()),
        watchUntilBlocking("ratings", new RecordingListener()),
        watchUntilBlocking("details", new RecordingListener()));

    long start = System.nanoTime();
    discovery.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(watches).allSatisfy(w -> assertThat(w.thread().isAlive()).isFalse());
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
