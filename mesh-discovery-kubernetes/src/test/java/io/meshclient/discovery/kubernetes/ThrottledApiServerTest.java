package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.mockwebserver.http.MockResponse;
import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.ServiceDiscovery;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An API server that refuses the EndpointSlice list with 429 (API Priority and Fairness, with a long
 * Retry-After) or 503 while {@code /version} answers: the status turns DISCONNECTED at once, naming the
 * answer, the service keeps no stale instance it never had, and once the API server lists again the
 * instances arrive.
 */
class ThrottledApiServerTest {
  private static final String SLICES = "/apis/discovery.k8s.io/v1/namespaces/test/endpointslices";

  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  private void refuseTheSliceList(int code, String retryAfter) {
    api.gate = request -> request.getPath().startsWith(SLICES + "?") && !request.getPath().contains("watch=true")
        ? new MockResponse().setResponseCode(code).setHeader("Retry-After", retryAfter).setBody(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"too many "
                + "requests, please try again later\",\"reason\":\"TooManyRequests\",\"code\":" + code + "}")
        : null;
  }

  @Test
  void aListRefusedWith429AndALongRetryAfterIsReportedAtOnceAndListedWhenTheServerRecovers() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    refuseTheSliceList(429, "120");
    RecordingListener listener = new RecordingListener();
    try (LogCapture log = LogCapture.everything();
        ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of())
            .firstSyncWait(Duration.ofSeconds(1)).build())) {
      discovery.watch("reviews", listener);

      RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.DISCONNECTED,
          Duration.ofSeconds(3), "the status to turn DISCONNECTED");
      assertThat(discovery.status().lastError()).isEqualTo("EndpointSlices of reviews: http_status (HTTP 429): "
          + "too many requests, please try again later");
      assertThat(log.text()).contains("Kubernetes watch of 'reviews' in 'test' failed, keeping its last known "
          + "instances (http_status (HTTP 429): too many requests, please try again later); retrying");
      assertThat(listener.snapshots).isEmpty();

      api.gate = request -> null; // the API server has capacity again
      listener.awaitIds("10.0.0.1:9080");
      RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.CONNECTED,
          Duration.ofSeconds(10), "the status to turn CONNECTED");
    }
  }

  @Test
  void aListRefusedWith503IsReportedAtOnce() {
    refuseTheSliceList(503, "1");
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of())
        .firstSyncWait(Duration.ofSeconds(1)).build())) {
      discovery.watch("reviews", new RecordingListener());

      RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.DISCONNECTED,
          Duration.ofSeconds(3), "the status to turn DISCONNECTED");
      assertThat(discovery.status().lastError()).isEqualTo("EndpointSlices of reviews: http_status (HTTP 503): "
          + "too many requests, please try again later");
    }
  }

  /**
   * A cluster older than 1.21 serves no discovery.k8s.io/v1 (404), and a proxy in front of the API server
   * answers 502 with an HTML page: the description is the answer's code and message, on one line, without
   * the URL and Status object fabric8 repeats after it.
   */
  @Test
  void refusalsAreDescribedByTheirCodeAndTheApiServersMessage() {
    api.gate = request -> request.getPath().startsWith(SLICES + "?") ? new MockResponse().setResponseCode(404)
        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
            + "\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\","
            + "\"details\":{},\"code\":404}") : null;
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of())
        .firstSyncWait(Duration.ofSeconds(1)).build())) {
      discovery.watch("reviews", new RecordingListener());
      RecordingListener.await(() -> discovery.status().lastError() != null, Duration.ofSeconds(3), "an error");
      assertThat(discovery.status().lastError()).isEqualTo("EndpointSlices of reviews: http_status (HTTP 404): "
          + "the server could not find the requested resource");

      api.gate = request -> request.getPath().startsWith(SLICES + "?")
          ? new MockResponse().setResponseCode(502).setBody("<html>" + "x".repeat(100_000) + "</html>") : null;
      RecordingListener.await(() -> discovery.status().lastError().contains("502"), Duration.ofSeconds(10),
          "the 502");
      assertThat(discovery.status().lastError()).isEqualTo("EndpointSlices of reviews: http_status (HTTP 502): "
          + "Bad Gateway");
    }
  }
}
