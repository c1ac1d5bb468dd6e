package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshclient.api.ServiceDiscovery;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An operator who turns fabric8's logging up to TRACE (here: its HTTP logger, through slf4j-simple, which
 * writes to standard error) sees no bearer token: fabric8 would log every request header, Authorization
 * included.
 */
class TraceLoggingTest {
  private static final String TOKEN = "trace-s3cr3t-t0ken";

  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void fabric8sTraceLoggingShowsNoBearerToken(@TempDir Path dir) throws Exception {
    // Only the pom's trace-logging execution turns the logger to TRACE; elsewhere this test proves nothing.
    assumeTrue(LoggerFactory.getLogger("io.fabric8.kubernetes.client.http.HttpLoggingInterceptor").isTraceEnabled(),
        "fabric8's HTTP logger at TRACE (surefire execution trace-logging)");
    Path kubeconfig = Files.writeString(dir.resolve("config"), ApiServer.kubeconfig(api.url(), TOKEN));
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    RecordingListener listener = new RecordingListener();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(KubernetesDiscoverySettings.builder()
        .kubeconfig(kubeconfig).podLabels(List.of()).firstSyncWait(Duration.ofSeconds(20)).build())) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");
      assertThat(api.requests).anyMatch(path -> path.contains("labelSelector")); // the list was sent
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(TOKEN);
  }
}
