package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every instance of a service refuses connections: the caller learns which service failed and which
 * instances were tried (OkHttp's own message names one address and no service), and nothing is left
 * behind: no connection, no call running on the dispatcher.
 */
@Timeout(30)
class ConnectRefusedTest {

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aCallRefusedByEveryInstanceNamesTheServiceAndWhatWasTriedAndLeavesNothingBehind() throws Exception {
    int first = closedPort();
    int second = closedPort();
    ServiceConfig service = ServiceConfig.builder("api")
        .retry(RetryConfig.DEFAULT.withAttempts(3).withOn(Set.of(RetryConfig.Condition.CONNECT_FAILURE), Set.of())
            .withBudget(100, 100))
        .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(
        ServiceInstance.of("api", "127.0.0.1", first), ServiceInstance.of("api", "127.0.0.1", second)));
    try (Mesh mesh = Mesh.builder().config(MeshConfig.builder().service(service).build())
        .discovery("memory", discovery).build()) {
      OkHttpClient client = mesh.httpClient();
      assertThatThrownBy(() -> client.newCall(new Request.Builder().url("http://api/items?token=secret").build())
          .execute())
          .isInstanceOf(ConnectException.class)
          .hasMessageStartingWith("GET http://api/... to service api failed after 3 attempts (instances tried: ")
          .hasMessageContaining("127.0.0.1:" + first)
          .hasMessageContaining("127.0.0.1:" + second)
          .hasMessageContaining("Failed to connect to")
          .hasMessageNotContaining("secret")
          .hasCauseInstanceOf(ConnectException.class);
      assertThat(client.connectionPool().connectionCount()).isZero();
      assertThat(client.dispatcher().runningCallsCount()).isZero();
      assertThat(client.dispatcher().queuedCallsCount()).isZero();
    }
  }
}
