package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static io.meshclient.discovery.kubernetes.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.meshclient.api.ServiceDiscovery;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When no endpoint of a service is ready, its endpoints that are terminating but still serving take traffic,
 * as kube-proxy does since Kubernetes 1.28 (ProxyTerminatingEndpoints): a rolling update whose old pods all
 * terminate before a new one is ready keeps its traffic. A ready endpoint always wins; {@code serving=false}
 * never takes traffic.
 */
class TerminatingEndpointsTest {
  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  /** Pod {@code pod} at {@code address}, terminating and still serving, as during its grace period. */
  private static Endpoint terminating(String address, String pod, String zone) {
    return endpoint(address, pod, zone, false, true, true);
  }

  @Test
  void terminatingButServingEndpointsTakeTrafficOnlyWhileNoEndpointIsReady() {
    api.pod("reviews-1", Map.of("version", "v1"));
    api.pod("reviews-2", Map.of("version", "v1"));
    api.pod("reviews-3", Map.of("version", "v2"));
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", "reviews-1", "zone-a"),
        endpoint("10.0.0.2", "reviews-2", "zone-b"), terminating("10.0.0.9", null, "zone-a"));
    RecordingListener listener = new RecordingListener();
    try (LogCapture log = LogCapture.everything();
        ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().build())) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080", "10.0.0.2:9080"); // ready ones only
      assertThat(discovery.status().details()).doesNotContainKey("serving-terminating");
      api.awaitWatches(discovery, 2); // the slices and the pods

      // Every old pod terminates before a new one is ready: they keep serving.
      api.slice("reviews-a", "reviews", 9080, terminating("10.0.0.1", "reviews-1", "zone-a"),
          terminating("10.0.0.2", "reviews-2", "zone-b"));
      await(() -> "reviews".equals(discovery.status().details().get("serving-terminating")), Duration.ofSeconds(10),
          "the status to name reviews as serving-terminating");
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080", "10.0.0.2:9080");
      assertThat(listener.last().get(1).zone()).isEqualTo("zone-b");
      assertThat(listener.last().get(1).metadata()).containsEntry("version", "v1").containsEntry("pod-name",
          "reviews-2");
      // The new pod starts, not ready yet; the old ones still serve.
      api.slice("reviews-a", "reviews", 9080, terminating("10.0.0.1", "reviews-1", "zone-a"),
          terminating("10.0.0.2", "reviews-2", "zone-b"), endpoint("10.0.0.3", "reviews-3", "zone-a", false, null));
      api.slice("reviews-b", "reviews", 9080, terminating("10.0.0.4", null, "zone-c"));
      listener.awaitIdsWithinOneSecond("10.0.0.1:9080", "10.0.0.2:9080", "10.0.0.4:9080");

      // The new pod is ready: only it takes traffic.
      api.slice("reviews-a", "reviews", 9080, terminating("10.0.0.1", "reviews-1", "zone-a"),
          terminating("10.0.0.2", "reviews-2", "zone-b"), endpoint("10.0.0.3", "reviews-3", "zone-a"));
      listener.awaitIdsWithinOneSecond("10.0.0.3:9080");
      assertThat(listener.last().get(0).metadata()).containsEntry("version", "v2");
      assertThat(discovery.status().details()).doesNotContainKey("serving-terminating");
      // Said once when it began (not on each update) and once when it ended.
      List<String> said = log.lines().stream().filter(line -> line.contains("terminating")).toList();
      assertThat(said).hasSize(2);
      assertThat(said.get(0)).contains("WARNING").contains("No endpoint of 'reviews' in 'test' is ready: its 2 "
          + "terminating but serving instances take traffic until one is, as kube-proxy does");
      assertThat(said.get(1)).contains("INFO").contains("An endpoint of 'reviews' in 'test' is ready again: "
          + "terminating endpoints no longer take traffic");
    }
  }

  @Test
  void aTerminatingEndpointThatDoesNotServeIsNeverCalledAndAMissingServingIsTheReadyCondition() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a", false, false, true),
        endpoint("10.0.0.2", null, "zone-a", false, null, true), endpoint("10.0.0.3", null, "zone-a", null, null, true),
        endpoint("10.0.0.4", null, "zone-a", false, true, false));
    RecordingListener listener = new RecordingListener();
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().build())) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.3:9080");
      assertThat(discovery.status().details()).containsEntry("serving-terminating", "reviews");
      api.awaitWatches(discovery, 2);

      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a", false, false, true));
      listener.awaitIdsWithinOneSecond();
      await(() -> !discovery.status().details().containsKey("serving-terminating"), Duration.ofSeconds(10),
          "serving-terminating to leave the status");
    }
  }
}
