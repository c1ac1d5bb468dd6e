package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.Fixtures.discovery;
import static io.meshclient.discovery.consul.Fixtures.fastSettings;
import static io.meshclient.discovery.consul.Fixtures.ms;
import static io.meshclient.discovery.consul.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The blocking-query rules (on the health feed), against the emulated Consul HTTP API. */
class BlockingQueryTest {
  private final ConsulEmulator consul = new ConsulEmulator();
  private final RecordingListener listener = new RecordingListener();
  private final RecordingEvents events = new RecordingEvents();
  private ConsulDiscovery discovery;

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close();
    }
    consul.close();
  }

  private void watchReviews(ConsulDiscoverySettings settings) {
    discovery = discovery(settings, events);
    discovery.watch("reviews", listener);
  }

  private static final String FEED = "/v1/health/state/any?filter=Status%20%21%3D%20%22passing%22&";

  /** Waits until the health feed has sent {@code n} queries (the second one blocks). */
  private void awaitFeedQueries(int n) {
    await(() -> consul.requests(ConsulEmulator.CHECKS).size() >= n, Duration.ofSeconds(5),
        n + " queries of " + ConsulEmulator.CHECKS);
  }

  @Test
  void healthEntriesBecomeInstances() {
    consul.register(Registration.of("reviews", "reviews-v1", "10.0.0.1", 9081).withMeta("version", "v1")
        .withTags("canary", "eu").withWeight(3));
    consul.register(Registration.of("reviews", "reviews-v2", "", 9082).withNode("node-b", "10.0.0.2")
        .withMeta("version", "v2").withMeta("secure", "true").withMeta("zone", "eu-west-1a"));

    watchReviews(fastSettings(consul.url()).build());

    assertThat(listener.awaitSnapshot(1)).containsExactly(
        new ServiceInstance("reviews-v1", "reviews", "10.0.0.1", 9081, false, 3,
            Map.of("version", "v1", "tag.canary", "true", "tag.eu", "true"), ""),
        new ServiceInstance("reviews-v2", "reviews", "10.0.0.2", 9082, true, 1,
            Map.of("version", "v2", "secure", "true", "zone", "eu-west-1a"), "eu-west-1a"));
  }

  @Test
  void firstSnapshotIsDeliveredBeforeWatchReturnsOnTheCallingThread() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    Thread caller = Thread.currentThread();
    Thread[] deliveredOn = new Thread[1];
    discovery = discovery(fastSettings(consul.url()).build(), events);

    discovery.watch("reviews", snapshot -> {
      deliveredOn[0] = Thread.currentThread();
      listener.onSnapshot(snapshot);
    });

    assertThat(listener.snapshots()).hasSize(1);
    assertThat(deliveredOn[0]).isSameAs(caller);
    consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));
    assertThat(listener.awaitIds(2)).containsExactly("r1", "r2");
    assertThat(deliveredOn[0].getName()).startsWith("mesh-consul-fetch-");
  }

  @Test
  void sameServiceIdOnTwoNodesGetsTheNodeNameAsPrefix() {
    // Consul defaults a service's ID to its name, so one ID on many nodes is common.
    consul.register(Registration.of("reviews", "reviews", "10.0.0.1", 9080).withNode("node-a", "10.0.0.1"));
    consul.register(Registration.of("reviews", "reviews", "10.0.0.2", 9080).withNode("node-b", "10.0.0.2"));
    consul.register(Registration.of("reviews", "reviews-3", "10.0.0.3", 9080));

    watchReviews(fastSettings(consul.url()).build());

    assertThat(listener.awaitIds(1)).containsExactly("node-a/reviews", "node-b/reviews", "reviews-3");
  }

  @Test
  void queriesBlockWithIndexAndWaitAndCarryTheSettings() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080).withTags("canary"));

    watchReviews(fastSettings(consul.url()).waitTime(Duration.ofSeconds(2)).datacenter("dc2")
        .allowStaleReads().tag("canary").build());
    listener.awaitSnapshot(1);
    long index = consul.checksIndex();
    awaitFeedQueries(2);

    assertThat(consul.requests(ConsulEmulator.CHECKS)).extracting(ConsulEmulator.Recorded::url).startsWith(
        FEED + "index=0&wait=2s&dc=dc2&stale",
        FEED + "index=" + index + "&wait=2s&dc=dc2&stale");
    // The service itself is asked about without blocking: once, and once more for each of the two feeds
    // (health, catalog) whose first list came after a fetch had started, since that list is the base of
    // later comparisons. On a slow machine both can. The feeds say when to ask again.
    assertThat(consul.requests("/v1/health/service/reviews")).extracting(ConsulEmulator.Recorded::url)
        .hasSizeBetween(1, 3).containsOnly("/v1/health/service/reviews?passing&dc=dc2&stale&tag=canary");
  }

  @Test
  void changeIsSeenWithinOneBlockingRoundTrip() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    // A long wait: only an answer released by the change itself can be fast enough.
    watchReviews(fastSettings(consul.url()).waitTime(Duration.ofSeconds(30)).build());
    listener.awaitSnapshot(1);
    awaitFeedQueries(2);

    long start = System.nanoTime();
    consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));

    assertThat(listener.awaitIds(2)).containsExactly("r1", "r2");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void staleIndexResetsToZero() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    watchReviews(fastSettings(consul.url()).build());
    listener.awaitSnapshot(1);
    long index = consul.checksIndex();
    awaitFeedQueries(2);

    consul.setChecksIndex(index - 5); // a snapshot restore moved the index backwards
    awaitFeedQueries(4);

    assertThat(consul.requestedIndexes(ConsulEmulator.CHECKS)).startsWith(0L, index, 0L, index - 5);
  }

  @Test
  void zeroIndexIsNeverSentTwiceInARow() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    consul.setChecksIndex(0); // the Consul bug the documentation warns about

    watchReviews(fastSettings(consul.url()).waitTime(ms(200)).build());
    awaitFeedQueries(4);

    List<Long> sent = consul.requestedIndexes(ConsulEmulator.CHECKS);
    assertThat(sent).startsWith(0L, 1L);
    for (int i = 1; i < sent.size(); i++) {
      assertThat(sent.get(i - 1) == 0 && sent.get(i) == 0).as("index 0 twice in a row: " + sent).isFalse();
    }
  }

  /**
   * The catalog feed took any answer under index 0 for its first, and fetched every watched service again at each:
   * against an agent with the index-0 bug, every service was fetched again at every round trip of the feed.
   */
  @Test
  void aCatalogIndexStuckAtZeroFetchesNoServiceAgainAtEachAnswer() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    watchReviews(fastSettings(consul.url()).waitTime(ms(200)).build());
    listener.awaitSnapshot(1);
    int catalogBefore = consul.requests(ConsulEmulator.CATALOG).size();
    consul.setCatalogIndex(0); // the Consul bug the documentation warns about
    await(() -> consul.requests(ConsulEmulator.CATALOG).size() >= catalogBefore + 2, Duration.ofSeconds(5),
        "the catalog feed past the change");
    await(() -> discovery.agentWatch().fetchesIdle(), Duration.ofSeconds(5), "the fetches of the change");
    int fetches = consul.requests("/v1/health/service/reviews").size();
    int catalog = consul.requests(ConsulEmulator.CATALOG).size();

    await(() -> consul.requests(ConsulEmulator.CATALOG).size() >= catalog + 6, Duration.ofSeconds(10),
        "six more answers of the catalog feed");
    assertThat(consul.requests("/v1/health/service/reviews").size() - fetches).isZero();
  }

  @Test
  void sameContentUnderANewIndexPushesNoSnapshot() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    watchReviews(fastSettings(consul.url()).build());
    listener.awaitSnapshot(1);
    awaitFeedQueries(2);

    consul.touch("reviews"); // a check's output changed: new index, same passing set
    long touched = consul.checksIndex();
    await(() -> consul.requestedIndexes(ConsulEmulator.CHECKS).contains(touched), Duration.ofSeconds(5),
        "a query at the new index");
    consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));
    listener.awaitSnapshot(2);

    assertThat(listener.snapshots()).extracting(s -> s.stream().map(ServiceInstance::id).toList())
        .containsExactly(List.of("r1"), List.of("r1", "r2"));
  }

  @Test
  void churningIndexCannotMakeTheLoopSpin() throws InterruptedException {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    consul.churnChecks(); // every answer carries a new index: nothing ever blocks

    watchReviews(fastSettings(consul.url()).minInterval(ms(100)).build());
    listener.awaitSnapshot(1);
    int before = consul.requests(ConsulEmulator.CHECKS).size();
    Thread.sleep(1_000);
    int inOneSecond = consul.requests(ConsulEmulator.CHECKS).size() - before;

    assertThat(inOneSecond).isBetween(3, 11); // at most 1 s / 100 ms, plus the one in flight
    assertThat(listener.snapshots()).hasSize(1);
  }

  @Test
  void emptyPassingListFromAReachableConsulIsPushedAndLogged() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    try (LogCapture logs = LogCapture.everything()) {
      watchReviews(fastSettings(consul.url()).build());
      listener.awaitSnapshot(1);

      consul.setStatus("reviews", "r1", "critical");

      assertThat(listener.awaitSnapshot(2)).isEmpty();
      assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
          .startsWith("io.meshclient.discovery.consul WARNING")
          .contains("Consul reports no passing instance of 'reviews'"));
    }
  }
}
