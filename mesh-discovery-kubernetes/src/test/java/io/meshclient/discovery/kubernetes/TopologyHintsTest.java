package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static io.meshclient.discovery.kubernetes.ApiServer.hinted;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Topology Aware Routing ({@code hints.forZones} on EndpointSlice endpoints), as kube-proxy applies it: when
 * every ready endpoint of the service has hints and one is hinted for the caller's zone (its Node's label), only
 * the endpoints hinted for that zone are instances; otherwise the hints are ignored.
 */
class TopologyHintsTest {
  private static final Map<String, String> ON_NODE_A = Map.of("NODE_NAME", "node-a");

  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  private ServiceDiscovery discovery(Map<String, String> env) {
    api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a")
        .withLabels(Map.of("topology.kubernetes.io/zone", "zone-a")).endMetadata().build()).createOr(n -> n.update());
    return new KubernetesDiscoveryProvider(KubernetesWatchListener.NONE, env::get)
        .create(api.settings().podLabels(List.of()).build());
  }

  /**
   * The controller hinted b2, in zone-b, for zone-a (it balances zones by capacity): calls from zone-a reach a
   * and b2, never b1; the instance keeps its own zone.
   */
  @Test
  void callsReachOnlyTheEndpointsHintedForTheCallersZone() throws Exception {
    try (Backends backends = new Backends("a", "b1", "b2")) {
      api.slice("reviews-a", "reviews", backends.port("a"), hinted(endpoint("127.0.0.1", null, "zone-a"), "zone-a"));
      api.slice("reviews-b1", "reviews", backends.port("b1"), hinted(endpoint("127.0.0.1", null, "zone-b"), "zone-b"));
      api.slice("reviews-b2", "reviews", backends.port("b2"), hinted(endpoint("127.0.0.1", null, "zone-b"), "zone-a"));
      try (LogCapture log = LogCapture.everything();
          ServiceDiscovery discovery = discovery(ON_NODE_A);
          Mesh mesh = Mesh.builder().discovery("kubernetes", discovery).config(MeshConfig.fromMap(Map.of("mesh",
              Map.of("services", Map.of("reviews", Map.of("discovery", "kubernetes",
                  "load-balancer", "round-robin")))))).build()) {
        RecordingListener.await(() -> mesh.instances("reviews").size() == 2, Duration.ofSeconds(10), "2 instances");
        assertThat(mesh.instances("reviews")).extracting(i -> i.port() + " " + i.zone()).containsExactlyInAnyOrder(
            backends.port("a") + " zone-a", backends.port("b2") + " zone-b");
        for (int i = 0; i < 100; i++) {
          try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
          }
        }
        assertThat(backends.served("a")).isEqualTo(50);
        assertThat(backends.served("b2")).isEqualTo(50);
        assertThat(backends.served("b1")).as("hinted for zone-b only").isZero();
        assertThat(log.text()).contains("Kubernetes EndpointSlices of 'reviews' in 'test': topology-aware hints "
            + "used: calls go to the 2 of 3 ready endpoints hinted for the caller's zone 'zone-a'");
      }
    }
  }

  /** An endpoint without hints (the controller adding them, one slice at a time) turns them off for the service. */
  @Test
  void hintsAreIgnoredUntilEveryReadyEndpointHasThem() {
    api.slice("reviews-a", "reviews", 9080, hinted(endpoint("10.0.0.1", null, "zone-a"), "zone-a"));
    api.slice("reviews-b", "reviews", 9080, endpoint("10.0.0.2", null, "zone-b"));
    RecordingListener listener = new RecordingListener();
    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery(ON_NODE_A)) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080", "10.0.0.2:9080");
      assertThat(log.text()).contains("Kubernetes EndpointSlices of 'reviews' in 'test': topology-aware hints "
          + "ignored: 1 of 2 ready endpoints have none");

      api.awaitWatches(discovery, 1);
      api.slice("reviews-b", "reviews", 9080, hinted(endpoint("10.0.0.2", null, "zone-b"), "zone-b"));
      listener.awaitIds("10.0.0.1:9080");
    }
  }

  /**
   * The Service's topology mode turned off: the controller removes the hints, calls go to every ready endpoint
   * again, and the log says so once (it said only that hints were used, which stayed the last word).
   */
  @Test
  void hintsThatDisappearAreLoggedAndEveryEndpointTakesTrafficAgain() {
    api.slice("reviews-a", "reviews", 9080, hinted(endpoint("10.0.0.1", null, "zone-a"), "zone-a"),
        hinted(endpoint("10.0.0.2", null, "zone-b"), "zone-b"));
    RecordingListener listener = new RecordingListener();
    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery(ON_NODE_A)) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");

      api.awaitWatches(discovery, 1);
      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"), endpoint("10.0.0.2", null, "zone-b"));
      listener.awaitIds("10.0.0.1:9080", "10.0.0.2:9080");
      assertThat(log.lines()).filteredOn(line -> line.contains("topology-aware hints any more")).hasSize(1).first()
          .asString().contains("INFO", "Kubernetes EndpointSlices of 'reviews' in 'test': no endpoint has "
              + "topology-aware hints any more; calls go to every ready endpoint");
    }
  }

  /**
   * The Node could not be read when the watch started (a 500 here; a missing ClusterRole alike): hints are
   * ignored, the probe reads the Node again, and once the zone is known the slices are mapped again, with no
   * slice changing. Before, the zone learnt late applied only at the next change of a slice.
   */
  @Test
  void aZoneLearntAfterAFailedNodeReadAppliesWithoutASliceChange() {
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    api.gate = request -> request.getPath().startsWith("/api/v1/nodes/node-a") && refused.getAndIncrement() == 0
        ? new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(500).setBody("{\"kind\":\"Status\",\"apiVersion\":"
            + "\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"etcd timeout\",\"code\":500}")
        : null;
    api.slice("reviews-a", "reviews", 9080, hinted(endpoint("10.0.0.1", null, "zone-a"), "zone-a"),
        hinted(endpoint("10.0.0.2", null, "zone-b"), "zone-b"));
    RecordingListener listener = new RecordingListener();
    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery(ON_NODE_A)) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).as("the zone is unknown").containsExactly("10.0.0.1:9080", "10.0.0.2:9080");
      assertThat(refused).hasValue(1);

      listener.awaitIds("10.0.0.1:9080");
      assertThat(discovery.callerZone()).isEqualTo("zone-a");
      assertThat(log.text()).contains("Kubernetes Node 'node-a' (NODE_NAME) read: the caller's zone is 'zone-a'",
          "topology-aware hints used: calls go to the 1 of 2 ready endpoints hinted for the caller's zone 'zone-a'");
    }
  }

  /** Hints for other zones only (a zone without endpoints of its own gets none from the controller). */
  @Test
  void hintsAreIgnoredWhenNoEndpointIsHintedForTheCallersZone() {
    api.slice("reviews-b", "reviews", 9080, hinted(endpoint("10.0.0.1", null, "zone-b"), "zone-b"),
        hinted(endpoint("10.0.0.2", null, "zone-c"), "zone-c", "zone-d"));
    RecordingListener listener = new RecordingListener();
    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery(ON_NODE_A)) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080", "10.0.0.2:9080");
      assertThat(log.text()).contains("topology-aware hints ignored: no endpoint is hinted for the caller's zone "
          + "'zone-a'");
    }
  }

  @Test
  void hintsAreIgnoredWhenTheCallersZoneIsUnknown() {
    api.slice("reviews-a", "reviews", 9080, hinted(endpoint("10.0.0.1", null, "zone-a"), "zone-a"),
        hinted(endpoint("10.0.0.2", null, "zone-b"), "zone-b"));
    RecordingListener listener = new RecordingListener();
    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery(Map.of())) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080", "10.0.0.2:9080");
      assertThat(log.text()).contains("topology-aware hints ignored: the caller's zone is unknown (NODE_NAME "
          + "naming a Node labelled topology.kubernetes.io/zone)");
    }
  }

  /**
   * A {@code forZones} entry without a name is ignored, warned once naming the slice, the value and the endpoint;
   * the endpoint's other hints still count.
   */
  @Test
  void aHintWithoutAZoneNameIsIgnoredAndWarnedNamingIt() {
    api.slice("reviews-a", "reviews", 9080, hinted(endpoint("10.0.0.1", null, "zone-a"), " ", "zone-a"),
        hinted(endpoint("10.0.0.2", null, "zone-b"), "zone-b"));
    RecordingListener listener = new RecordingListener();
    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery(ON_NODE_A)) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");
      assertThat(log.lines()).filteredOn(line -> line.contains("hints.forZones")).hasSize(1).first().asString()
          .contains("WARNING: EndpointSlice reviews-a of 'reviews' in 'test' ignored: hints.forZones name ' ' of "
              + "endpoint [10.0.0.1] (expected: a zone name)");
    }
  }
}
