package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.Fixtures.discovery;
import static io.meshclient.discovery.consul.Fixtures.fastSettings;
import static io.meshclient.discovery.consul.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.discovery.consul.ConsulWatchListener.Failure;
import java.io.IOException;
import java.time.Duration;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ACL token travels in the X-Consul-Token header only: never in a URL, a log line or a message. */
class AclTokenTest {
  private static final String TOKEN = "6f1f7a3e-58d2-4b0a-9c1e-0d4c5e8f9a21";

  private final ConsulEmulator consul = new ConsulEmulator();

  @AfterEach
  void stopConsul() {
    consul.close();
  }

  @Test
  void tokenIsInEveryRequestHeaderAndInNoUrlOrLogLine() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    RecordingListener listener = new RecordingListener();
    RecordingEvents events = new RecordingEvents();
    try (LogCapture logs = LogCapture.everything()) {
      ConsulDiscovery discovery = discovery(fastSettings(consul.url()).aclToken(TOKEN).build(), events);
      discovery.watch("reviews", listener);
      listener.awaitSnapshot(1);
      // Exercise the failure paths too: their messages are logged.
      consul.failWith(503);
      // The health feed's own 503, not only a fetch's: stopping the agent while that answer is on its way
      // would cut it short (a truncated chunk, not an HTTP status).
      await(() -> events.failures().stream().anyMatch(e -> e.failure() == Failure.HTTP_STATUS)
          && logs.text().contains("Consul query /v1/health/state/any answered HTTP 503"),
          Duration.ofSeconds(5), "a 503 of the health feed");
      consul.stop();
      await(() -> events.failures().stream().anyMatch(e -> e.failure() == Failure.CONNECT),
          Duration.ofSeconds(5), "a refused connection");
      consul.failWith(0);
      consul.start();
      consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));
      listener.awaitSnapshot(2);
      discovery.close();

      assertThat(consul.requests()).hasSizeGreaterThanOrEqualTo(3).allSatisfy(request -> {
        assertThat(request.token()).isEqualTo(TOKEN);
        assertThat(request.url()).doesNotContain(TOKEN).doesNotContain("token");
      });
      // The capture is not empty: consul-api's TRACE line and httpclient's DEBUG lines are in it.
      assertThat(logs.text())
          .contains("com.ecwid.consul.transport.AbstractHttpTransport FINEST")
          .contains("GET " + consul.url() + "/v1/health/service/reviews?passing")
          .contains("GET " + consul.url() + "/v1/health/state/any?filter=Status%20%21%3D%20%22passing%22&index=0&wait=1s")
          .contains("org.apache.http.impl.execchain.MainClientExec FINE")
          .contains("Consul query /v1/health/state/any answered HTTP 503")
          .doesNotContain(TOKEN);
      assertThat(discovery.toString()).doesNotContain(TOKEN);
    }
  }

  /** Proves the capture above would see a leaked header: httpclient's default connections log them. */
  @Test
  void captureSeesHeadersThatAPlainHttpclientLogs() throws IOException {
    try (LogCapture logs = LogCapture.everything(); CloseableHttpClient plain = HttpClients.createDefault()) {
      HttpGet get = new HttpGet(consul.url() + "/v1/health/service/reviews?passing");
      get.addHeader("X-Consul-Token", TOKEN);
      EntityUtils.consume(plain.execute(get).getEntity());

      assertThat(logs.text()).contains("org.apache.http.headers").contains(">> X-Consul-Token: " + TOKEN);
    }
  }
}
