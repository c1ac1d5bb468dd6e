package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.Fixtures.discovery;
import static io.meshclient.discovery.consul.Fixtures.fastSettings;
import static io.meshclient.discovery.consul.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.discovery.consul.ConsulWatchListener.Failure;
import io.meshclient.discovery.consul.RecordingEvents.Event;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Consul refusing, failing and hanging: the last known good instances stay, retries back off. */
class OutageTest {
  private final ConsulEmulator consul = new ConsulEmulator();
  private final RecordingListener listener = new RecordingListener();
  private ConsulDiscovery discovery;

  @BeforeEach
  void registerTwoInstances() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));
  }

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close();
    }
    consul.close();
  }

  /** Watches reviews and waits until its blocking query is held by Consul. */
  private void watchUntilBlocking(ConsulDiscoverySettings settings, RecordingEvents events, WatchClock clock) {
    discovery = discovery(settings, events, clock);
    discovery.watch("reviews", listener);
    assertThat(listener.awaitIds(1)).containsExactly("r1", "r2");
    await(() -> consul.requests(ConsulEmulator.CHECKS).size() >= 2, Duration.ofSeconds(5), "the blocking query");
    await(() -> discovery.agentWatch().fetchesIdle(), Duration.ofSeconds(5), "the fetches to end");
  }

  private static void awaitFailures(RecordingEvents events, Failure failure, int count) {
    await(() -> events.failures().stream().filter(e -> e.failure() == failure).count() >= count,
        Duration.ofSeconds(10), count + " failures of kind " + failure + " in " + events.failures());
  }

  private List<List<String>> snapshotIds() {
    return listener.snapshots().stream().map(s -> s.stream().map(ServiceInstance::id).toList()).toList();
  }

  @Test
  void refusedConnectionsKeepTheLastKnownInstancesUntilConsulReturns() {
    RecordingEvents events = new RecordingEvents();
    watchUntilBlocking(fastSettings(consul.url()).build(), events, WatchClock.SYSTEM);

    consul.stop();
    awaitFailures(events, Failure.CONNECT, 3);
    consul.deregister("reviews", "r2"); // changed while the watch could not see it
    consul.start();

    assertThat(listener.awaitIds(2)).containsExactly("r1");
    assertThat(snapshotIds()).containsExactly(List.of("r1", "r2"), List.of("r1"));
  }

  @Test
  void errorStatusKeepsTheLastKnownInstancesUntilConsulRecovers() {
    RecordingEvents events = new RecordingEvents();
    watchUntilBlocking(fastSettings(consul.url()).build(), events, WatchClock.SYSTEM);

    consul.failWith(503);
    awaitFailures(events, Failure.HTTP_STATUS, 3);
    consul.deregister("reviews", "r1");
    consul.failWith(0);

    assertThat(listener.awaitIds(2)).containsExactly("r2");
    assertThat(snapshotIds()).containsExactly(List.of("r1", "r2"), List.of("r2"));
  }

  @Test
  void hungAgentTimesOutAndKeepsTheLastKnownInstancesUntilConsulReturns() throws IOException {
    RecordingEvents events = new RecordingEvents();
    // wait 1 s: a query times out after 1 s + 1/16 s + 1 s of slack.
    watchUntilBlocking(fastSettings(consul.url()).build(), events, WatchClock.SYSTEM);

    consul.stop();
    try (BlackHole blackHole = new BlackHole(consul.port())) {
      awaitFailures(events, Failure.TIMEOUT, 1);
      assertThat(blackHole.accepted()).isPositive();
    }
    consul.register(Registration.of("reviews", "r3", "10.0.0.3", 9080));
    consul.start();

    assertThat(listener.awaitIds(2)).containsExactly("r1", "r2", "r3");
    assertThat(snapshotIds()).containsExactly(List.of("r1", "r2"), List.of("r1", "r2", "r3"));
  }

  @Test
  void watchOfAnUnreachableAgentReturnsAtOnceWithoutASnapshot() {
    consul.stop();
    discovery = discovery(fastSettings(consul.url()).build(), new RecordingEvents());

    long start = System.nanoTime();
    discovery.watch("reviews", listener);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    assertThat(listener.snapshots()).isEmpty();
    consul.start();
    assertThat(listener.awaitIds(1)).containsExactly("r1", "r2");
  }

  @Test
  void watchOfAHungAgentReturnsAfterTwoSecondsWithoutASnapshot() throws IOException {
    consul.stop();
    try (BlackHole blackHole = new BlackHole(consul.port())) {
      discovery = discovery(fastSettings(consul.url()).build(), new RecordingEvents());

      long start = System.nanoTime();
      discovery.watch("reviews", listener);

      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(ConsulDiscovery.FIRST_ANSWER_WAIT, ConsulDiscovery.FIRST_ANSWER_WAIT.plusMillis(500));
      assertThat(listener.snapshots()).isEmpty();
      assertThat(blackHole.accepted()).isPositive();
    }
    consul.start();
    assertThat(listener.awaitIds(1)).containsExactly("r1", "r2");
  }

  /**
   * With the default backoff (1 s doubling to 30 s, equal jitter), a 60 s outage sees 6 attempts when
   * the jitter is always at its longest and 8 when always at its shortest.
   */
  @ParameterizedTest
  @ValueSource(doubles = {0.0, 0.5, 0.999})
  void sixtySecondOutageMakesBetweenThreeAndTenAttempts(double jitter) {
    FakeClock clock = new FakeClock();
    RecordingEvents events = new RecordingEvents(clock::nanoTime);
    ConsulDiscoverySettings settings = fastSettings(consul.url())
        .backoff(ConsulDiscoverySettings.DEFAULT_BACKOFF_INITIAL, ConsulDiscoverySettings.DEFAULT_BACKOFF_MAX)
        .build();
    discovery = discovery(settings, events, clock, () -> jitter);
    discovery.watch("reviews", listener);
    listener.awaitSnapshot(1);
    await(() -> consul.requests(ConsulEmulator.CHECKS).size() >= 2, Duration.ofSeconds(5), "the blocking query");
    await(() -> discovery.agentWatch().fetchesIdle(), Duration.ofSeconds(5), "the fetches to end");

    consul.stop();
    await(() -> events.failures().size() >= 1, Duration.ofSeconds(5), "the outage to be seen");
    long outageStart = events.failures().get(0).nanoTime();
    long outageEnd = outageStart + Duration.ofSeconds(60).toNanos();
    await(() -> clock.nanoTime() > outageEnd, Duration.ofSeconds(10), "60 s of outage on the fake clock");
    discovery.close();

    // One attempt can fail twice at one instant (a request still in flight breaks as the reconnect fails):
    // attempts are the distinct instants of failure.
    List<Long> inOutage = events.failures().stream().map(Event::nanoTime)
        .filter(t -> t >= outageStart && t < outageEnd).distinct().toList();
    assertThat(inOutage).hasSizeBetween(3, 10);
    assertThat(inOutage).hasSize(jitter == 0.0 ? 8 : jitter == 0.999 ? 6 : 7);
    assertThat(listener.snapshots()).hasSize(1);
  }
}
