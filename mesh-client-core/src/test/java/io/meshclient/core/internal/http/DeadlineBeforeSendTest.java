package io.meshclient.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.RateLimitExceededException;
import io.meshclient.core.Backend;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call never waits for a permit past its deadline, nor is sent once an injected delay has used it up: it
 * would have no time left, and its attempt would time out at once, sent all the same and blamed on a healthy
 * instance.
 */
@Timeout(30)
class DeadlineBeforeSendTest {
  private static final String NOT_SENT =
      "GET http://api/... not sent: its deadline (retry.deadline: 300ms) passed before the first attempt";

  /** Service {@code api} on {@code backend}, with these settings (one YAML flow mapping's entries). */
  private static Mesh mesh(Backend backend, String api) {
    return Mesh.builder().discovery("memory", new InMemoryDiscovery().set("api",
        List.of(backend.instance("api", Map.of())))).config(MeshConfig.fromYaml(
            "mesh: { services: { api: { " + api + " } } }", name -> null)).build();
  }

  @Test
  void aPermitThatComesOnlyAfterTheCallsDeadlineRefusesTheCallAtOnceWithoutIo() throws Exception {
    try (Backend backend = new Backend("a"); Mesh mesh = mesh(backend, "rate-limit: { rate: 30/m, burst: 1, max-wait: 3s },"
        + " retry: { attempts: 2, deadline: 500ms }, outlier-detection: { consecutive-failures: 1, max-ejected: 100%,"
        + " panic-threshold: 0% }")) {
      backend.delay(50); // answers well within the deadline, but not within an attempt admitted with none left
      assertThat(get(mesh)).isEqualTo(200);
      long start = System.nanoTime();
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(RateLimitExceededException.class)
          .hasMessage("rate limit 'api' of service 'api' exceeded");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(400));
      assertThat(backend.requests()).as("requests that reached the instance").isEqualTo(1);
      assertThat(mesh.snapshot().services().get("api").instances().get(0).ejected()).isFalse();
    }
  }

  @Test
  void aCallWhoseInjectedDelayOutlastsItsDeadlineFailsWithoutBeingSent() throws Exception {
    try (Backend backend = new Backend("a"); Mesh mesh = mesh(backend, "retry: { attempts: 2, deadline: 300ms },"
        + " outlier-detection: { consecutive-failures: 1, max-ejected: 100%, panic-threshold: 0% },"
        + " routes: [ { to: { service: api }, fault: { delay: { percent: 100, duration: 500ms } } } ]")) {
      backend.delay(50);
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(java.net.SocketTimeoutException.class).hasMessage(NOT_SENT);
      assertThat(backend.requests()).as("requests that reached the instance").isZero();
      assertThat(mesh.snapshot().services().get("api").instances().get(0).ejected()).isFalse();
    }
  }

  @Test
  void onAHedgedRouteToo() throws Exception {
    try (Backend backend = new Backend("a"); Mesh mesh = mesh(backend, "retry: { attempts: 2, deadline: 300ms },"
        + " routes: [ { to: { service: api }, hedge: { after: 100ms }, fault: { delay: { percent: 100, duration: 500ms } } } ]")) {
      assertThatThrownBy(() -> get(mesh)).isInstanceOf(java.net.SocketTimeoutException.class).hasMessage(NOT_SENT);
      assertThat(backend.requests()).as("requests that reached the instance").isZero();
    }
  }

  private static int get(Mesh mesh) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
      return response.code();
    }
  }
}
