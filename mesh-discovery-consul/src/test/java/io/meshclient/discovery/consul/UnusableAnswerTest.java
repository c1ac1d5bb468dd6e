package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.Fixtures.discovery;
import static io.meshclient.discovery.consul.Fixtures.fastSettings;
import static io.meshclient.discovery.consul.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.discovery.consul.ConsulWatchListener.Failure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An agent whose health answers parse as JSON but describe no instance that can be called: the answer
 * is refused as malformed and the last known instances stay, instead of the service being emptied.
 */
class UnusableAnswerTest {
  private static final String NODE = "\"Node\": {\"Node\": \"n1\", \"Address\": \"10.0.0.9\"}";

  private final ConsulEmulator consul = new ConsulEmulator();
  private final RecordingListener listener = new RecordingListener();
  private final RecordingEvents events = new RecordingEvents();
  private ConsulDiscovery discovery;

  @BeforeEach
  void watchTwoInstances() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));
    discovery = discovery(fastSettings(consul.url()).build(), events);
    discovery.watch("reviews", listener);
    assertThat(listener.awaitIds(1)).containsExactly("r1", "r2");
  }

  @AfterEach
  void tearDown() {
    discovery.close();
    consul.close();
  }

  /** Makes the agent answer fetches with {@code body}, and moves the catalog so that reviews is fetched. */
  private void answerNextFetchWith(String body) {
    consul.answerFetchesWith(body);
    consul.register(Registration.of("reviews", "r3", "10.0.0.3", 9080));
  }

  private void awaitMalformed() {
    await(() -> events.failures().stream().anyMatch(e -> e.failure() == Failure.MALFORMED_RESPONSE),
        Duration.ofSeconds(10), "a malformed-response failure in " + events.events());
  }

  private List<List<String>> snapshotIds() {
    return listener.snapshots().stream().map(s -> s.stream().map(ServiceInstance::id).toList()).toList();
  }

  @Test
  void entriesWithoutAPortKeepTheLastKnownInstancesAndTheWarningSaysWhy() {
    try (LogCapture logs = LogCapture.everything()) {
      answerNextFetchWith("[{" + NODE + ", \"Service\": {\"ID\": \"r1\", \"Service\": \"reviews\"}, "
          + "\"Checks\": []}, {" + NODE + ", \"Service\": {\"ID\": \"r2\", \"Port\": \"abc\"}, \"Checks\": []}]");

      awaitMalformed();
      assertThat(snapshotIds()).containsExactly(List.of("r1", "r2"));
      await(() -> logs.text().contains("Consul health query for 'reviews' answered no usable entry"),
          Duration.ofSeconds(2), "the warning");
      assertThat(logs.text()).contains("Consul health query for 'reviews' answered no usable entry among 2: "
          + "entry 0 (r1): Service.Port missing (expected: 1..65535); "
          + "entry 1 (r2): Service.Port \"abc\" (expected: 1..65535)");
    }
  }

  @Test
  void entriesWhoseAddressIsNoHostKeepTheLastKnownInstances() {
    answerNextFetchWith("[{" + NODE + ", \"Service\": {\"ID\": \"r1\", \"Address\": \"http://evil/\", \"Port\": 80},"
        + " \"Checks\": []}, {" + NODE + ", \"Service\": {\"ID\": \"r2\", \"Address\": \"a b\", \"Port\": 80},"
        + " \"Checks\": []}]");

    awaitMalformed();
    assertThat(snapshotIds()).containsExactly(List.of("r1", "r2"));
  }

  @Test
  void entriesWithPortsOutOfRangeKeepTheLastKnownInstances() {
    answerNextFetchWith("[{" + NODE + ", \"Service\": {\"ID\": \"r1\", \"Port\": 0}, \"Checks\": []},"
        + "{" + NODE + ", \"Service\": {\"ID\": \"r2\", \"Port\": 70000}, \"Checks\": []}]");

    awaitMalformed();
    assertThat(snapshotIds()).containsExactly(List.of("r1", "r2"));
  }

  @Test
  void entriesThatAreNotObjectsKeepTheLastKnownInstances() {
    answerNextFetchWith("[1, \"two\", null, []]");

    awaitMalformed();
    assertThat(snapshotIds()).containsExactly(List.of("r1", "r2"));
  }

  @Test
  void usableEntriesAreDeliveredAndUnusableOnesLeftOut() {
    answerNextFetchWith("[{" + NODE + ", \"Service\": {\"ID\": \"r1\", \"Port\": 0}, \"Checks\": []},"
        + "{" + NODE + ", \"Service\": {\"ID\": \"r4\", \"Address\": \"10.0.0.4\", \"Port\": 9080}, \"Checks\": []}]");

    assertThat(listener.awaitIds(2)).containsExactly("r4");
  }

  @Test
  void emptyArrayStillMeansNoPassingInstance() {
    answerNextFetchWith("[]");

    assertThat(listener.awaitIds(2)).isEmpty();
  }
}
