package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.mockwebserver.http.MockResponse;
import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.ServiceDiscovery;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An API server that refuses the EndpointSlice list with 429 (API Priority and Fairness, with a
 * Retry-After) or 503 while {@code /version} answers: the status turns DISCONNECTED at once, naming the
 * answer, the service keeps no stale instance it never had, the list is asked again only after the
 * Retry-After (at most 60 s), and once the API server lists again the instances arrive.
 */
class ThrottledApiServerTest {
  private static final String SLICES = "/apis/discovery.k8s.io/v1/namespaces/test/endpointslices";

  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  private void refuseTheSliceList(int code, String retryAfter) {
    refuseTheSliceList(code, retryAfter, new CopyOnWriteArrayList<>());
  }

  /** Refuses every list of the slices with {@code code} and {@code retryAfter} (none if null), noting when. */
  private void refuseTheSliceList(int code, String retryAfter, List<Long> refusedAtNanos) {
    api.refuseTheList(SLICES, code, retryAfter, refusedAtNanos);
  }

  @Test
  void aListRefusedWith429AndALongRetryAfterIsReportedAtOnceAndNotAskedAgainBeforeTheCappedWait() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    List<Long> refused = new CopyOnWriteArrayList<>();
    refuseTheSliceList(429, "120", refused);
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
          + "instances (http_status (HTTP 429): too many requests, please try again later); retrying in 60 s, as "
          + "the API server asked (Retry-After, at most 60 s)");
      assertThat(listener.snapshots).isEmpty();

      api.gate = request -> null; // the API server has capacity again, but asked for 120 s (cut to 60 s)
      sleep(Duration.ofSeconds(4)); // the informer alone would have listed again after 1 s, and 2 s more
      assertThat(refused).hasSize(1);
      assertThat(listener.snapshots).isEmpty();
      assertThat(discovery.status().connection()).isEqualTo(DiscoveryStatus.Connection.DISCONNECTED);
    }
  }

  /**
   * The informer waits what the API server asks, not its own 1 s, 2 s, 4 s: within 5 s of the first refusal a
   * server without Retry-After is asked 3 times or more, one with {@code Retry-After: 3} twice, each time 3 s or
   * more after the last answer; once it lists again, the instances arrive.
   */
  @Test
  void aListRefusedWith429IsAskedAgainAfterItsRetryAfterAndListedThen() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    List<Long> withoutRetryAfter = new CopyOnWriteArrayList<>();
    refuseTheSliceList(429, null, withoutRetryAfter);
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of())
        .firstSyncWait(Duration.ofSeconds(1)).build())) {
      discovery.watch("reviews", new RecordingListener());
      sleep(Duration.ofNanos(withoutRetryAfter.get(0) + Duration.ofSeconds(5).toNanos() - System.nanoTime()));
      assertThat(withoutRetryAfter.stream().filter(at -> at - withoutRetryAfter.get(0) <= 5_000_000_000L))
          .hasSizeGreaterThanOrEqualTo(3);
    }

    List<Long> withRetryAfter = new CopyOnWriteArrayList<>();
    refuseTheSliceList(429, "3", withRetryAfter);
    RecordingListener listener = new RecordingListener();
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of())
        .firstSyncWait(Duration.ofSeconds(1)).build())) {
      discovery.watch("reviews", listener);
      RecordingListener.await(() -> withRetryAfter.size() >= 3, Duration.ofSeconds(15), "a third list");
      assertThat(withRetryAfter.stream().filter(at -> at - withRetryAfter.get(0) <= 5_000_000_000L)).hasSize(2);
      for (int i = 1; i < withRetryAfter.size(); i++) {
        assertThat(Duration.ofNanos(withRetryAfter.get(i) - withRetryAfter.get(i - 1)))
            .as("time between lists %d and %d", i, i + 1).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
      }
      assertThat(listener.snapshots).isEmpty();

      api.gate = request -> null; // the API server has capacity again
      listener.awaitIds("10.0.0.1:9080");
      RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.CONNECTED,
          Duration.ofSeconds(10), "the status to turn CONNECTED");
      api.awaitWatches(discovery, 1); // closing while the watch opens makes the mock server log a stack trace
    }
  }

  /** The pod watch (for subsets' labels) waits what the API server asks as well. */
  @Test
  void aPodListRefusedWith429IsAskedAgainAfterItsRetryAfter() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", "reviews-1", "zone-a"));
    api.pod("reviews-1", java.util.Map.of("version", "v1"));
    List<Long> refused = new CopyOnWriteArrayList<>();
    api.refuseTheList("/api/v1/namespaces/test/pods", 429, "3", refused);
    RecordingListener listener = new RecordingListener();
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings()
        .firstSyncWait(Duration.ofSeconds(1)).build())) {
      discovery.watch("reviews", listener);
      RecordingListener.await(() -> refused.size() >= 3, Duration.ofSeconds(15), "a third pod list");
      assertThat(refused.stream().filter(at -> at - refused.get(0) <= 5_000_000_000L)).hasSize(2);
      assertThat(discovery.status().lastError()).isEqualTo("pods: http_status (HTTP 429): too many requests, please "
          + "try again later");

      api.gate = request -> null;
      RecordingListener.await(() -> "v1".equals(listener.last().get(0).metadata().get("version")),
          Duration.ofSeconds(10), "the pod's labels");
      api.awaitWatches(discovery, 1); // closing while the watch opens makes the mock server log a stack trace
    }
  }

  /**
   * A watch restarted while the API server asks to wait (the probe restarts every watch once {@code /version}
   * answers again) lists once the wait is over, not at once, and its old informer does not list as well.
   */
  @Test
  void aWatchRestartedWhileTheApiServerAsksToWaitListsOnlyAfterTheWait() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    List<Long> refused = new CopyOnWriteArrayList<>();
    refuseTheSliceList(429, "3", refused);
    RecordingListener listener = new RecordingListener();
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of())
        .firstSyncWait(Duration.ofSeconds(1)).build())) {
      SliceWatch watch = (SliceWatch) discovery.watch("reviews", listener);
      watch.restart(); // a new informer, as the probe's restart makes, 1 s into the 3 s asked for
      RecordingListener.await(() -> refused.size() >= 2, Duration.ofSeconds(10), "a second list");
      assertThat(Duration.ofNanos(refused.get(1) - refused.get(0))).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
      sleep(Duration.ofNanos(refused.get(0) + Duration.ofSeconds(5).toNanos() - System.nanoTime()));
      assertThat(refused.stream().filter(at -> at - refused.get(0) <= 5_000_000_000L)).hasSize(2);

      api.gate = request -> null;
      listener.awaitIds("10.0.0.1:9080");
      api.awaitWatches(discovery, 1); // closing while the watch opens makes the mock server log a stack trace
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(Math.max(0, duration.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
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
