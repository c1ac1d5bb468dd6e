package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static io.meshclient.discovery.kubernetes.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The kubernetes discovery against the mock API server in CRUD mode. */
class EndpointSliceDiscoveryTest {
  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  private ServiceDiscovery discovery() {
    return new KubernetesDiscoveryProvider().create(api.settings().build());
  }

  @Test
  void firstSnapshotMergesEverySliceTakesEachAddressOnceAndSkipsEndpointsThatAreNotReady() {
    api.pod("reviews-v1", Map.of("version", "v1", "app", "reviews"));
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", "reviews-v1", "zone-a"),
        endpoint("10.0.0.2", null, "zone-b", false, null), endpoint("10.0.0.3", null, "zone-b", true, true));
    api.slice("reviews-b", "reviews", 9080, endpoint("10.0.0.1", "reviews-v1", "zone-a"),
        endpoint("10.0.0.4", null, "zone-c", null, null));
    api.slice("reviews-v6", "reviews", "IPv6", "http", 9080, endpoint("fd00::5", null, "zone-c"));
    api.slice("ratings-a", "ratings", 9080, endpoint("10.0.1.1", null, "zone-a"));
    RecordingListener listener = new RecordingListener();

    try (ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);

      // Delivered before watch() returned, as one snapshot.
      assertThat(listener.snapshots).hasSize(1);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080", "10.0.0.4:9080", "[fd00::5]:9080");
      ServiceInstance first = listener.last().get(0);
      assertThat(first.host()).isEqualTo("10.0.0.1");
      assertThat(first.zone()).isEqualTo("zone-a");
      assertThat(first.metadata()).containsExactlyInAnyOrderEntriesOf(
          Map.of("version", "v1", "pod-name", "reviews-v1", "node-name", "node-zone-a"));
      assertThat(listener.last().get(2).host()).isEqualTo("fd00::5");
      assertThat(listener.last().get(2).authority()).isEqualTo("[fd00::5]:9080");
    }
  }

  @Test
  void addsRemovalsAndNotReadyFlipsArriveWithinOneSecond() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    RecordingListener listener = new RecordingListener();
    try (ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");
      api.awaitWatches(discovery, 2);

      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"),
          endpoint("10.0.0.2", null, "zone-a"));
      listener.awaitIdsWithinOneSecond("10.0.0.1:9080", "10.0.0.2:9080");
      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a", false, null),
          endpoint("10.0.0.2", null, "zone-a"));
      listener.awaitIdsWithinOneSecond("10.0.0.2:9080");
      api.slice("reviews-b", "reviews", 9080, endpoint("10.0.0.3", null, "zone-b"));
      listener.awaitIdsWithinOneSecond("10.0.0.2:9080", "10.0.0.3:9080");
      api.deleteSlice("reviews-a");
      listener.awaitIdsWithinOneSecond("10.0.0.3:9080");
    }
  }

  @Test
  void podLabelChangeMovesTheEndpointToTheOtherVersion() {
    api.pod("reviews-1", Map.of("version", "v1"));
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", "reviews-1", "zone-a"));
    RecordingListener listener = new RecordingListener();
    try (ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);
      assertThat(listener.last().get(0).metadata()).containsEntry("version", "v1");
      api.awaitWatches(discovery, 2);

      api.pod("reviews-1", Map.of("version", "v2", "unrelated", "x"));
      await(() -> "v2".equals(listener.last().get(0).metadata().get("version")), Duration.ofSeconds(1),
          "version v2");
      assertThat(listener.last().get(0).metadata()).doesNotContainKey("unrelated");
      int seen = listener.snapshots.size();
      api.pod("reviews-1", Map.of("version", "v2", "unrelated", "y")); // a label not in use
      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", "reviews-1", "zone-a"),
          endpoint("10.0.0.9", null, "zone-a"));
      await(() -> listener.snapshots.size() > seen, Duration.ofSeconds(1), "the next change");
      assertThat(listener.snapshots).hasSize(seen + 1);
    }
  }

  @Test
  void serviceWithoutEndpointSlicesHasAnEmptySnapshot() {
    RecordingListener listener = new RecordingListener();
    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);
      assertThat(listener.snapshots).containsExactly(List.of());
      assertThat(log.lines()).anyMatch(line -> line.contains("WARNING")
          && line.contains("Kubernetes has no EndpointSlice of 'reviews' in 'test' "
              + "(label kubernetes.io/service-name=reviews); it has no instances until one appears"));
      api.awaitWatches(discovery, 2);

      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
      await(() -> List.of("10.0.0.1:9080").equals(listener.lastIds()), Duration.ofSeconds(1), "the new slice");
    }
  }

  /**
   * A call to a service with no instance fails with a {@code NoHealthyInstanceException} that ends with what
   * the discovery says: it said only "its discovery lists no instance of it", leaving a newcomer to find the
   * WARNING line that says why (no EndpointSlice labelled with that name in that namespace, or no list yet).
   */
  @Test
  void aServiceWithoutInstancesIsExplainedToTheFailingCall() {
    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", new RecordingListener());
      assertThat(discovery.whyNoInstances("reviews", Map.of()))
          .isEqualTo("Kubernetes has no EndpointSlice of it in 'test' (label kubernetes.io/service-name=reviews)");
      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
      await(() -> discovery.whyNoInstances("reviews", Map.of()) == null, Duration.ofSeconds(1), "the new slice");
    }
    KubernetesDiscoverySettings gone = api.settings().firstSyncWait(Duration.ofMillis(500)).build();
    api.close();
    try (LogCapture log = LogCapture.everything();
        ServiceDiscovery unreachable = new KubernetesDiscoveryProvider().create(gone)) {
      unreachable.watch("reviews", new RecordingListener());
      await(() -> unreachable.whyNoInstances("reviews", Map.of()).contains("("), Duration.ofSeconds(5),
          "the list's failure");
      assertThat(unreachable.whyNoInstances("reviews", Map.of()))
          .startsWith("Kubernetes has not listed its EndpointSlices in 'test' yet (connect: ").endsWith(")");
    }
  }

  @Test
  void thePortNamedInTheSettingsIsCalledAndAnUnnamedPortOtherwise() {
    api.slice("reviews-a", "reviews", "IPv4", "", 8080, endpoint("10.0.0.1", null, "zone-a"));
    RecordingListener unnamed = new RecordingListener();
    try (ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", unnamed);
    }
    assertThat(unnamed.lastIds()).containsExactly("10.0.0.1:8080");

    api.slice("ratings-a", "ratings", "IPv4", "grpc", 9090, endpoint("10.0.0.2", null, "zone-a"));
    RecordingListener named = new RecordingListener();
    RecordingListener otherName = new RecordingListener();
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().portName("grpc").build());
        ServiceDiscovery http = new KubernetesDiscoveryProvider().create(api.settings().portName("http").build())) {
      discovery.watch("ratings", named);
      http.watch("ratings", otherName);
    }
    assertThat(named.lastIds()).containsExactly("10.0.0.2:9090");
    assertThat(otherName.lastIds()).isEmpty();
  }
}
