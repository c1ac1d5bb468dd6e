package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.mockwebserver.http.MockResponse;
import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.ServiceDiscovery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer tokens rotate (kubelet-projected service account tokens every hour or so, kubeconfig tokens when a
 * tool rewrites the file): once the API server refuses the old token with 401, the discovery reads the token
 * again and carries on, without a restart, and never shows either token.
 */
class TokenRotationTest {
  private static final String UNAUTHORIZED = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
      + "\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}";

  private final ApiServer api = ApiServer.crud();
  /** The token the API server accepts now; requests of the test's own client (no such token) pass. */
  private volatile String accepted = "rotating-token-one";
  private final List<String> tokensSeen = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    api.close();
  }

  private void acceptOnlyTheCurrentToken() {
    api.gate = request -> {
      String authorization = String.valueOf(request.getHeaders().get("Authorization"));
      if (!authorization.startsWith("Bearer rotating-token-")) {
        return null; // the test's own client
      }
      tokensSeen.add(authorization.substring("Bearer ".length()));
      return authorization.equals("Bearer " + accepted) ? null
          : new MockResponse().setResponseCode(401).setBody(UNAUTHORIZED);
    };
  }

  @Test
  void aTokenRotatedInTheKubeconfigIsReadAgainWhenTheApiServerRefusesTheOldOne(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("config"), ApiServer.kubeconfig(api.url(), "rotating-token-one"));
    acceptOnlyTheCurrentToken();
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    RecordingListener listener = new RecordingListener();

    try (LogCapture log = LogCapture.everything();
        ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(KubernetesDiscoverySettings.builder()
            .kubeconfig(file).podLabels(List.of()).firstSyncWait(Duration.ofSeconds(20)).build())) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");

      Files.writeString(file, ApiServer.kubeconfig(api.url(), "rotating-token-two"));
      accepted = "rotating-token-two"; // the old token is refused from now on
      // The API-server probe (every 5 s) meets the 401 first; the client must then read the file again.
      RecordingListener.await(() -> tokensSeen.contains("rotating-token-two"), Duration.ofSeconds(15),
          "a request with the rotated token");
      RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.CONNECTED,
          Duration.ofSeconds(10), "the status to stay or turn CONNECTED");
      assertThat(log.text() + discovery.status() + discovery).doesNotContain("rotating-token");
    }
  }

  /** In a pod: the projected token file (here named by fabric8's system property) is read again on a 401. */
  @Test
  void aRotatedServiceAccountTokenFileIsReadAgainWhenTheApiServerRefusesTheOldOne(@TempDir Path dir)
      throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "rotating-token-one");
    acceptOnlyTheCurrentToken();
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    RecordingListener listener = new RecordingListener();
    System.setProperty("kubernetes.auth.tryKubeConfig", "false");
    System.setProperty("kubernetes.auth.serviceAccount.token", token.toString());
    try (LogCapture log = LogCapture.everything();
        ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of())
            .build())) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");
      assertThat(tokensSeen).contains("rotating-token-one");

      Files.writeString(token, "rotating-token-two");
      accepted = "rotating-token-two";
      RecordingListener.await(() -> tokensSeen.contains("rotating-token-two"), Duration.ofSeconds(15),
          "a request with the rotated token");
      RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.CONNECTED,
          Duration.ofSeconds(10), "the status to stay or turn CONNECTED");
      assertThat(log.text() + discovery.status() + discovery).doesNotContain("rotating-token");
    } finally {
      System.clearProperty("kubernetes.auth.tryKubeConfig");
      System.clearProperty("kubernetes.auth.serviceAccount.token");
    }
  }
}
