package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceDiscovery;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** While the API server is unreachable the last known instances stay in force. */
class OutageTest {

  @Test
  void lastKnownInstancesStayWhileTheApiServerIsDown() throws Exception {
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

        proxy.close(); // the API server is gone: open watches drop, new connections are refused
        Thread.sleep(3000);
        assertThat(listener.snapshots).hasSize(1);
        assertThat(log.text()).doesNotContain("\tat ");

        // (Recovery is WatchRecoveryTest's: a real API server answers the stale version with 410 and the
        // informer relists; a restarted CRUD mock would accept the stale version and replay nothing.)
      }
    }
  }
}
