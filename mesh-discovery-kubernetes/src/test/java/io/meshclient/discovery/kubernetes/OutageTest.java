package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.ServiceDiscovery;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * While the API server is unreachable the last known instances stay in force and the status says so;
 * when it answers again, the watches restart and relist, so nothing that changed meanwhile is lost.
 */
class OutageTest {

  /**
   * Java 17's HttpClient leaves the open watch silently dead when the connection drops (no failure is
   * reported, no relist follows): the API-server probe notices the outage and restarts the watch.
   */
  @Test
  void lastKnownInstancesStayWhileTheApiServerIsDownAndWhatChangedMeanwhileArrivesAfterIt() throws Exception {
    RecordingListener listener = new RecordingListener();
    try (ApiServer api = ApiServer.crud()) {
      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
      TcpProxy proxy = new TcpProxy(0, api.port());
      int port = proxy.port();
      try (LogCapture log = LogCapture.everything();
          ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings()
              .masterUrl(URI.create("http://127.0.0.1:" + port)).podLabels(List.of()).build())) {
        discovery.watch("reviews", listener);
        assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");
        api.awaitWatches(discovery, 1);
        assertThat(discovery.status().connection()).isEqualTo(DiscoveryStatus.Connection.CONNECTED);
        assertThat(discovery.status().details()).containsEntry("namespace", ApiServer.NAMESPACE)
            .containsEntry("services", "1");

        proxy.close(); // the API server is gone: open watches drop, new connections are refused
        RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.DISCONNECTED,
            Duration.ofSeconds(12), "the status to turn DISCONNECTED");
        DiscoveryStatus down = discovery.status();
        assertThat(down.errors()).isPositive();
        assertThat(down.lastError()).startsWith("API server probe (GET /version): ");
        assertThat(down.lastUpdate()).isNotNull();
        assertThat(listener.snapshots).hasSize(1);

        api.slice("reviews-b", "reviews", 9080, endpoint("10.0.0.2", null, "zone-b")); // while unreachable
        try (TcpProxy back = new TcpProxy(port, api.port())) {
          long restored = System.nanoTime();
          RecordingListener.await(() -> listener.lastIds().equals(List.of("10.0.0.1:9080", "10.0.0.2:9080")),
              Duration.ofSeconds(15), "the change made during the outage");
          System.out.println("change made during the outage delivered "
              + (System.nanoTime() - restored) / 1_000_000 + " ms after the API server came back");
          RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.CONNECTED,
              Duration.ofSeconds(12), "the status to turn CONNECTED");
        }
        assertThat(log.text()).doesNotContain("\tat ");
      }
    }
  }
}
