package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.Fixtures.discovery;
import static io.meshclient.discovery.consul.Fixtures.fastSettings;
import static io.meshclient.discovery.consul.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.discovery.consul.ConsulWatchListener.Failure;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An agent whose answers to a health query are not what HTTP or Consul promise: each ends as a failure
 * of a known kind, in bounded time and memory, with a message that says what was wrong.
 */
class MisbehavingAgentTest {
  private static final String TOKEN = "7f1e2d3c-acl-secret-4b5a";
  private final RecordingListener listener = new RecordingListener();
  private final RecordingEvents events = new RecordingEvents();
  private MisbehavingAgent agent;
  private ConsulDiscovery discovery;

  @AfterEach
  void tearDown() throws IOException {
    if (discovery != null) {
      discovery.close();
    }
    if (agent != null) {
      agent.close();
    }
  }

  private static void head(OutputStream out, String headers) throws IOException {
    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + headers + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Watches reviews on {@code fetch}'s agent and returns the message of its first failure of kind {@code kind}. */
  private String firstFailure(MisbehavingAgent.Fetch fetch, Failure kind, Duration within) throws IOException {
    return firstFailure(fetch, "", kind, within);
  }

  private String firstFailure(MisbehavingAgent.Fetch fetch, String token, Failure kind, Duration within)
      throws IOException {
    return firstFailure(fetch, token, Duration.ofSeconds(1), kind, within);
  }

  /** As above, with the blocking query's {@code wait}, which also sets the time an answer may take. */
  private String firstFailure(MisbehavingAgent.Fetch fetch, String token, Duration wait, Failure kind,
      Duration within) throws IOException {
    agent = new MisbehavingAgent(fetch);
    try (LogCapture logs = LogCapture.everything()) {
      discovery = discovery(fastSettings(agent.url()).aclToken(token).waitTime(wait).build(), events);
      discovery.watch("reviews", listener);
      await(() -> events.failures().stream().anyMatch(e -> e.failure() == kind), within,
          "a failure of kind " + kind + " in " + events.events());
      await(() -> logs.text().contains("Consul health query for 'reviews'"), Duration.ofSeconds(1),
          "the warning");
      assertThat(logs.text()).doesNotContain(TOKEN);
      return logs.lines().stream().filter(l -> l.contains("Consul health query for 'reviews'")).findFirst()
          .orElseThrow();
    } finally {
      assertThat(listener.snapshots()).isEmpty();
    }
  }

  @Test
  void bodyThatTricklesForeverTimesOutWithinTheReadTimeout() throws IOException {
    // wait 1 s: the read timeout is 1 s + 1/16 s + 1 s; each byte comes well within it.
    String failure = firstFailure(out -> {
      head(out, "X-Consul-Index: 5\r\nContent-Length: 100000\r\n");
      out.write('[');
      for (int i = 0; i < 100_000; i++) {
        out.write(' ');
        out.flush();
        Thread.sleep(100);
      }
    }, Failure.TIMEOUT, Duration.ofSeconds(8));

    assertThat(failure).contains("answer not complete within 2062ms");
  }

  @Test
  void bodyLargerThanTheLimitIsRefusedWithoutBufferingIt() throws IOException {
    // wait 10 s: reading 64 MiB must end on the size bound, not on the time an answer may take (about 2 s
    // with the fast settings' wait, which a loaded machine's loopback did not always reach 64 MiB within)
    byte[] spaces = new byte[1 << 20];
    Arrays.fill(spaces, (byte) ' ');
    String failure = firstFailure(out -> {
      head(out, "X-Consul-Index: 5\r\nConnection: close\r\n"); // no length: the body runs to the end
      out.write('[');
      for (int i = 0; i < 4 * HealthEndpoint.MAX_ANSWER_BYTES / spaces.length; i++) {
        out.write(spaces);
      }
    }, "", Duration.ofSeconds(10), Failure.MALFORMED_RESPONSE, Duration.ofSeconds(20));

    assertThat(failure).contains("answer larger than 64 MiB");
  }

  @Test
  void declaredLengthOverTheLimitIsRefusedBeforeReading() throws IOException {
    String failure = firstFailure(out -> {
      head(out, "X-Consul-Index: 5\r\nContent-Length: 2000000000\r\n");
      out.write("[]".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(60_000);
    }, Failure.MALFORMED_RESPONSE, Duration.ofSeconds(5));

    assertThat(failure).contains("answer of 2000000000 bytes is larger than 64 MiB");
  }

  @Test
  void nonNumericIndexIsAMalformedAnswer() throws IOException {
    String failure = firstFailure(out -> {
      head(out, "X-Consul-Index: abc\r\nContent-Length: 2\r\nConnection: close\r\n");
      out.write("[]".getBytes(StandardCharsets.US_ASCII));
    }, Failure.MALFORMED_RESPONSE, Duration.ofSeconds(5));

    assertThat(failure).contains("X-Consul-Index 'abc' (expected: an unsigned 64-bit number)");
  }

  @Test
  void refusedTokenIsExplainedByTheAgentsReasonAndNeverEchoed() throws IOException {
    String failure = firstFailure(out -> {
      byte[] body = ("Permission denied: token with AccessorID 'a1b2' lacks permission 'service:read' on "
          + "\"reviews\" (token " + TOKEN + ")\nsecond line").getBytes(StandardCharsets.UTF_8);
      out.write(("HTTP/1.1 403 Forbidden\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
    }, TOKEN, Failure.HTTP_STATUS, Duration.ofSeconds(5));

    assertThat(failure).contains("Consul health query for 'reviews' answered HTTP 403 Forbidden: Permission "
        + "denied: token with AccessorID 'a1b2' lacks permission 'service:read' on \"reviews\" (token <redacted>)");
  }
}
