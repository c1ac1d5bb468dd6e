package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.client.informers.impl.cache.Reflector;
import io.meshclient.api.ServiceDiscovery;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An API server throttling the list (429, with a Retry-After and without one: expected, and healing by itself)
 * makes neither fabric8 nor the module log an ERROR or a stack trace; the module logs one WARN line per
 * throttled list naming the service, the answer and the wait, and the informer keeps listing until it is
 * served. fabric8 logs through SLF4J, bound (slf4j-simple, to standard error) only in the pom's trace-logging
 * execution, which runs this test; the module logs through java.util.logging ({@link LogCapture}).
 */
class ThrottlingLogTest {
  private static final String SLICES = "/apis/discovery.k8s.io/v1/namespaces/test/endpointslices";
  private static final String FAILED = "Kubernetes watch of 'reviews' in 'test' failed, keeping its last known "
      + "instances (http_status (HTTP 429): too many requests, please try again later); retrying in ";

  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void eachThrottledListIsOneWarningWithItsWaitAndNoStackTrace() {
    assumeTrue(LoggerFactory.getLogger(Reflector.class).isWarnEnabled(),
        "fabric8's informer logging bound to slf4j-simple (surefire execution trace-logging)");
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    List<Long> refused = new CopyOnWriteArrayList<>();
    api.refuseTheList(SLICES, 429, "1", refused);
    RecordingListener listener = new RecordingListener();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    List<String> warnings;
    try (LogCapture log = LogCapture.everything();
        ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of())
            .firstSyncWait(Duration.ofSeconds(1)).build())) {
      discovery.watch("reviews", listener);
      RecordingListener.await(() -> refused.size() >= 1, Duration.ofSeconds(10), "a throttled list");
      api.refuseTheList(SLICES, 429, null, refused); // throttled again, now without Retry-After
      RecordingListener.await(() -> refused.size() >= 2, Duration.ofSeconds(10), "a second throttled list");

      api.gate = request -> null; // the API server has capacity again
      listener.awaitIds("10.0.0.1:9080");
      // Closing while the informer opens its watch makes fabric8 log the failed watch: not what this test is about.
      api.awaitWatches(discovery, 1);
      // Besides these, the first-sync-wait's end is warned: the list was not served within 1 s.
      warnings = log.lines().stream().filter(line -> line.contains("Kubernetes watch of 'reviews' in 'test' failed")).toList();
      assertThat(log.text()).as("what the module logged").doesNotContain("SEVERE").doesNotContain("\tat ");
    } finally {
      System.setErr(err);
    }
    String logged = captured.toString(StandardCharsets.UTF_8);
    assertThat(logged).as("what fabric8 logged").doesNotContain("ERROR").doesNotContain("WARN")
        .doesNotContain("\tat ");
    assertThat(warnings).as("one warning per throttled list").hasSize(refused.size())
        .allMatch(line -> line.contains(" WARNING "));
    assertThat(warnings.get(0)).contains(FAILED + "1 s, as the API server asked (Retry-After, at most 60 s)");
    assertThat(warnings.get(refused.size() - 1)).containsPattern(FAILED.replace("(", "\\(").replace(")", "\\)")
        + "\\d+ s \\(no Retry-After: the informer's backoff\\)");
  }
}
