package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.WatchEventBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceListBuilder;
import io.meshclient.api.ServiceDiscovery;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A watch that ends with {@code 410 Gone}, or drops and is refused with 410 on reconnecting, is followed by
 * a relist that brings the changes made meanwhile. The mock API server answers the first list and watch
 * from expectations (resource version 1000) and everything after from its CRUD state, which already holds
 * the change the broken watch never delivered.
 */
class WatchRecoveryTest {
  private static final String SLICES = "/apis/discovery.k8s.io/v1/namespaces/test/endpointslices";
  private static final String SELECTOR = "labelSelector=kubernetes.io%2Fservice-name%3Dreviews";
  private static final String FIRST_LIST = SLICES + "?" + SELECTOR + "&resourceVersion=0";
  private static final String WATCH_AT_1000 = SLICES + "?allowWatchBookmarks=true&" + SELECTOR
      + "&resourceVersion=1000&timeoutSeconds=600&watch=true";
  private static final Status GONE = new StatusBuilder().withCode(410).withReason("Expired")
      .withMessage("too old resource version: 1000 (2000)").build();

  private final ApiServer api = ApiServer.mixed();

  @AfterEach
  void stop() {
    api.close();
  }

  private void firstListHoldsOneEndpoint() {
    api.server.expect().get().withPath(FIRST_LIST).andReturn(200, new EndpointSliceListBuilder()
        .withMetadata(new ListMetaBuilder().withResourceVersion("1000").build())
        .addToItems(api.sliceObject("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a")))
        .build()).once();
    // The state after the change the watch will miss:
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"), endpoint("10.0.0.2", null, "zone-a"));
  }

  private static WatchEvent goneEvent() {
    return new WatchEventBuilder().withType("ERROR").withObject(GONE).build();
  }

  private ServiceDiscovery discovery() {
    return new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of()).build());
  }

  @Test
  void goneOnTheWatchRelistsAndLosesNoUpdate() {
    firstListHoldsOneEndpoint();
    api.server.expect().get().withPath(WATCH_AT_1000).andUpgradeToWebSocket().open().waitFor(300)
        .andEmit(goneEvent()).done().once();
    RecordingListener listener = new RecordingListener();
    try (ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);
      assertThat(listener.snapshots.get(0)).extracting(i -> i.id()).containsExactly("10.0.0.1:9080");

      listener.awaitIds("10.0.0.1:9080", "10.0.0.2:9080");
      assertThat(api.requests).contains(SLICES + "?" + SELECTOR);
      // ...and the new watch delivers what follows.
      api.awaitWatches(discovery, 2);
      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.3", null, "zone-a"));
      listener.awaitIdsWithinOneSecond("10.0.0.3:9080");
    }
  }

  @Test
  void droppedWatchAnsweredWithGoneOnReconnectRelistsAndLosesNoUpdate() {
    firstListHoldsOneEndpoint();
    // A bookmark, then the server closes the stream.
    WatchEvent bookmark = new WatchEventBuilder().withType("BOOKMARK").withObject(new EndpointSliceBuilder()
        .withNewMetadata().withResourceVersion("1000").endMetadata().build()).build();
    api.server.expect().get().withPath(WATCH_AT_1000).andUpgradeToWebSocket().open().waitFor(300)
        .andEmit(bookmark).done().once();
    // On reconnecting at 1000 the API server has compacted that version away: it says so as the watch's
    // first event, as a real API server does.
    api.server.expect().get().withPath(WATCH_AT_1000).andUpgradeToWebSocket().open().immediately()
        .andEmit(goneEvent()).done().always();
    RecordingListener listener = new RecordingListener();
    try (ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);
      assertThat(listener.snapshots.get(0)).extracting(i -> i.id()).containsExactly("10.0.0.1:9080");

      listener.awaitIds("10.0.0.1:9080", "10.0.0.2:9080");
      api.awaitWatches(discovery, 3);
      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.3", null, "zone-a"));
      listener.awaitIdsWithinOneSecond("10.0.0.3:9080");
    }
  }
}
