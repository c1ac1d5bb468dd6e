package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.client.informers.impl.cache.Reflector;
import io.meshclient.api.DiscoveryStatus;
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
 * An API server throttling the list (429 with a Retry-After, an expected and self-healing event) makes fabric8
 * log nothing at ERROR and no stack trace: the wait is spent inside the list, so the informer neither stops nor
 * retries by itself. fabric8 logs through SLF4J, bound (slf4j-simple, to standard error) only in the pom's
 * trace-logging execution, which runs this test.
 */
class ThrottlingLogTest {
  private static final String SLICES = "/apis/discovery.k8s.io/v1/namespaces/test/endpointslices";

  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void aListThrottledWithRetryAfterMakesFabric8LogNoErrorAndNoStackTrace() {
    assumeTrue(LoggerFactory.getLogger(Reflector.class).isWarnEnabled(),
        "fabric8's informer logging bound to slf4j-simple (surefire execution trace-logging)");
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    List<Long> refused = new CopyOnWriteArrayList<>();
    api.refuseTheList(SLICES, 429, "1", refused);
    RecordingListener listener = new RecordingListener();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (ServiceDiscovery discovery = new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of())
        .firstSyncWait(Duration.ofSeconds(1)).build())) {
      discovery.watch("reviews", listener);
      RecordingListener.await(() -> discovery.status().connection() == DiscoveryStatus.Connection.DISCONNECTED,
          Duration.ofSeconds(3), "the status to turn DISCONNECTED");
      RecordingListener.await(() -> refused.size() >= 2, Duration.ofSeconds(10), "a second, throttled list");

      api.gate = request -> null; // the API server has capacity again
      listener.awaitIds("10.0.0.1:9080");
      // Closing while the informer opens its watch makes fabric8 log the failed watch: not what this test is about.
      api.awaitWatches(discovery, 1);
    } finally {
      System.setErr(err);
    }
    String logged = captured.toString(StandardCharsets.UTF_8);
    assertThat(logged).as("what fabric8 logged").doesNotContain("ERROR").doesNotContain("\tat ");
  }
}
