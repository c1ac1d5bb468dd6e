package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.Fixtures.discovery;
import static io.meshclient.discovery.consul.Fixtures.fastSettings;
import static io.meshclient.discovery.consul.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code stale: true}: any Consul server answers, and one behind the leader answers with what it has applied. The
 * emulator plays such a server by answering the service's fetches with an older list for a while.
 */
class StaleReadsTest {
  private static final String FETCH = "/v1/health/service/reviews";
  private final ConsulEmulator consul = new ConsulEmulator();
  private final RecordingListener listener = new RecordingListener();
  private ConsulDiscovery discovery;
  private final Registration r1 = Registration.of("reviews", "r1", "10.0.0.1", 9080);
  private final Registration r2 = Registration.of("reviews", "r2", "10.0.0.2", 9080);

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close();
    }
    consul.close();
  }

  private void watchReviews() {
    discovery = discovery(fastSettings(consul.url()).allowStaleReads().build(), new RecordingEvents());
    discovery.watch("reviews", listener);
  }

  private int fetches() {
    return consul.requests(FETCH).size();
  }

  /** The fetch a change asked for, answered by a server behind, is followed by a re-read that sees the change. */
  @Test
  void aChangeAnsweredWithTheListFromBeforeItIsReadAgain() {
    consul.register(r1);
    watchReviews();
    assertThat(listener.awaitIds(1)).containsExactly("r1");
    int before = fetches();

    consul.answerFetchesWith(Json.write(List.of(r1.toHealthEntry()))); // a server that has not applied r2 yet
    consul.register(r2);
    await(() -> fetches() > before, Duration.ofSeconds(5), "the fetch the change asked for");
    consul.answerFetchesWith(null); // the server catches up; nothing changes in Consul after this

    assertThat(listener.awaitIds(2)).as("before: r2 unseen until the next change").containsExactly("r1", "r2");
  }

  /** An answer with an index below the last one used comes from a server further behind: never delivered. */
  @Test
  void anAnswerOlderThanOneUsedIsPassedOver() {
    consul.register(r1);
    consul.register(r2);
    watchReviews();
    assertThat(listener.awaitIds(1)).containsExactly("r1", "r2");
    int before = fetches();

    long used = consul.index("reviews");
    consul.answerFetchesWith(Json.write(List.of(r1.toHealthEntry())), used - 1); // r2 not registered there yet
    consul.register(Registration.of("reviews", "r3", "10.0.0.3", 9080));
    await(() -> fetches() > before, Duration.ofSeconds(5), "the fetch the change asked for");
    consul.answerFetchesWith(null);

    assertThat(listener.awaitIds(2)).containsExactly("r1", "r2", "r3");
    assertThat(listener.snapshots()).as("before: [r1] delivered, then [r1, r2, r3] only at the next change")
        .noneMatch(s -> s.size() == 1);
  }
}
