package io.meshclient.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API server probe keeps probing when the work it runs after an answer throws: an exception leaving a task
 * of a scheduled executor cancels every later run, which stopped the probe for good, silently (no outage noticed,
 * no watch restarted, no Node read again).
 */
class ApiServerProbeTest {
  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void theProbeGoesOnAndLogsWhenTheWorkAfterAnAnswerThrows() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Runnable throwsFirst = () -> {
      if (runs.incrementAndGet() == 1) {
        throw new IllegalStateException("a listener that threw");
      }
    };
    try (LogCapture log = LogCapture.everything();
        ApiServerProbe probe = new ApiServerProbe(api.client, new StatusTracker(), () -> {}, throwsFirst,
            Duration.ofMillis(50))) {
      RecordingListener.await(() -> runs.get() >= 3, Duration.ofSeconds(10), "three answers");
      assertThat(log.text()).contains("Kubernetes API server probe: the work after an answer failed",
          "a listener that threw", "the probe goes on");
    }
  }
}
