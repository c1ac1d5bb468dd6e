package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.meshclient.api.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Configurations that used to pass validation and then fail (or crash) every call, or that echoed a
 * secret, or hung the parser: each is refused with one problem naming its key (issue 14, items 3, 4, 5,
 * 8, 11).
 */
class FailClosedConfigTest {
  private static final String SERVICE = """
      mesh:
        services:
          reviews:
            subsets: { v1: { version: v1 }, v2: { version: v2 } }
      """;

  private static List<String> problems(String yaml) {
    try {
      MeshConfig.fromYaml(yaml, name -> null);
    } catch (ConfigurationException e) {
      return e.problems();
    }
    throw new AssertionError("accepted: " + yaml);
  }

  private static String service(String block) {
    return SERVICE + block.indent(6);
  }

  @Test
  void anAliasBombIsRefusedNamingTheFileInsteadOfExhaustingTheHeap() {
    StringBuilder bomb = new StringBuilder("x0: &a0 [lol]\n");
    for (int i = 1; i <= 16; i++) {
      bomb.append("x").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1)
          .append(", *a").append(i - 1).append("]\n");
    }
    String yaml = "mesh:\n  services:\n    reviews:\n      subsets:\n" + bomb.toString().indent(8);
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      assertThatThrownBy(() -> MeshConfig.fromYaml(yaml, name -> null)).isInstanceOf(ConfigurationException.class)
          .hasMessage("mesh.yaml: more than 100000 values once its aliases are expanded (expected: a document of "
              + "at most 100000 values)");
      assertThatThrownBy(() -> MeshConfig.fromFileContent(Path.of("watched.yaml"), yaml.getBytes(StandardCharsets.UTF_8)))
          .hasMessageStartingWith("watched.yaml: more than 100000 values");
    });
  }

  @Test
  void aRetryDeadlineOfAMillionHoursIsRefusedNotThrownOnEveryCall() {
    assertThat(problems(service("retry: { deadline: 999999999h, backoff: { base: 999999999h, max: 999999999h } }")))
        .containsExactly(
            "mesh.services.reviews.retry.deadline: 999999999h (expected: between 1ms and 596h, OkHttp's limit)",
            "mesh.services.reviews.retry.backoff.base: 999999999h (expected: >= 0ms, at most 596h)");
  }

  @Test
  void hugeBreakerAndLimiterDurationsAreRefusedNotThrownAtBuild() {
    assertThat(problems(service("""
        circuit-breaker: { open-for: 999999999h, slow-call-duration: 999999999h }
        rate-limit: { rate: 10/s, max-wait: 999999999h }
        outlier-detection: { base-ejection: 999999999h }
        routes: [ { to: v1, fault: { delay: { percent: 5, duration: 999999999h } } } ]
        """))).containsExactly(
            "mesh.services.reviews.rate-limit.max-wait: 999999999h (expected: between 0ms and 596h)",
            "mesh.services.reviews.circuit-breaker.slow-call-duration: 999999999h (expected: a positive duration up to 596h)",
            "mesh.services.reviews.circuit-breaker.open-for: 999999999h (expected: a positive duration up to 596h)",
            "mesh.services.reviews.outlier-detection.base-ejection: 999999999h (expected: a positive duration up to 596h)",
            "mesh.services.reviews.routes[0].fault.delay.duration: 999999999h (expected: a positive duration up to 596h)");
  }

  @Test
  void aTimeoutBeyondWhatADurationHoldsIsRefusedNamingItsKey() {
    assertThat(problems(service("timeout: 999999999999999d\nconnect-timeout: 999999999h"))).containsExactly(
        "mesh.services.reviews.timeout: 999999999999999d (expected: between 1ms and 596h, OkHttp's limit)",
        "mesh.services.reviews.connect-timeout: 999999999h (expected: between 1ms and 596h, OkHttp's limit)");
  }

  @Test
  void aRateOfOnePerAMillionHoursIsRefused() {
    assertThat(problems(service("rate-limit: { rate: 1/999999999h }"))).containsExactly(
        "mesh.services.reviews.rate-limit.rate: 1/999999999h (expected: at most 1000000000 per period, "
            + "a period of at most 1h, and at most one per nanosecond)");
  }

  @Test
  void aBurstThatASlowRateCouldNeverRefillIsRefusedWhileAFastRateTakesALargeOne() {
    assertThat(problems(service("rate-limit: { rate: 1/h, burst: 1000000000 }"))).containsExactly(
        "mesh.services.reviews.rate-limit.burst: 1000000000 (expected: at most 1111112 at a rate of 1/h "
            + "(a full bucket must refill within about 126 years))");
    assertThat(MeshConfig.fromYaml(service("rate-limit: { rate: 1000000000/s, burst: 1000000000 }"), name -> null)
        .service("reviews").rateLimit().burst()).isEqualTo(1_000_000_000);
  }

  @Test
  void aRateWithoutAPeriodIsPerSecondAsTheReferenceSays() {
    RateLimitConfig bare = MeshConfig.fromYaml(service("rate-limit: { rate: 200 }"), name -> null)
        .service("reviews").rateLimit();
    RateLimitConfig perSecond = MeshConfig.fromYaml(service("rate-limit: { rate: 200/s }"), name -> null)
        .service("reviews").rateLimit();
    assertThat(bare).isEqualTo(perSecond);
    assertThat(bare.permits()).isEqualTo(200);
    assertThat(bare.per()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void splitWeightsThatOverflowAreRefusedNotThrownOnEveryCall() {
    assertThat(problems(service("routes: [ { split: { v1: 2147483647, v2: 1 } } ]"))).containsExactly(
        "mesh.services.reviews.routes[0].split.v1: 2147483647 (expected: a weight >= 0, at most 1000000)");
  }

  @Test
  void numbersBeyond64BitsAreRefusedNeverWrappedAround() {
    assertThat(problems(service("""
        max-concurrent-requests: 18446744073709551621
        routes: [ { split: { v1: 18446744073709551616, v2: 1 } } ]
        """))).containsExactly(
            "mesh.services.reviews.max-concurrent-requests: 18446744073709551621 (expected: > 0, at most 1000000)",
            "mesh.services.reviews.routes[0].split.v1: 18446744073709551616 (expected: a weight >= 0, at most 1000000)");
  }

  @Test
  void aRefusedSplitWeightIsReportedOnceWithoutAPhantomMinusOne() {
    assertThat(problems(service("routes: [ { split: { v1: 99999999999, v2: 1 } }, { split: { v1: 90%, v2: 10 } } ]")))
        .containsExactly(
            "mesh.services.reviews.routes[0].split.v1: 99999999999 (expected: a weight >= 0, at most 1000000)",
            "mesh.services.reviews.routes[1].split.v1: 90% (expected: a whole number)");
  }

  @Test
  void theConsulTokenAndUrlUserInfoNeverAppearInToString() {
    MeshConfig config = MeshConfig.builder()
        .discovery("consul", Map.of("url", "http://admin:s3cretP4ss@consul.internal:8500", "acl-token", "t0k3n-b1g"))
        .build();
    assertThat(config.toString()).contains("acl-token=<redacted>", "http://<redacted>@consul.internal:8500")
        .doesNotContain("t0k3n-b1g").doesNotContain("s3cretP4ss");
  }

  @Test
  void anUnsetVariableWithoutDefaultIsAnErrorNamingTheKeyAndTheVariable() {
    assertThat(problems(service("timeout: ${MESH_TEST_UNSET_TIMEOUT}"))).containsExactly(
        "mesh.services.reviews.timeout: ${MESH_TEST_UNSET_TIMEOUT} (expected: the environment variable "
            + "MESH_TEST_UNSET_TIMEOUT to be set, or a default such as ${MESH_TEST_UNSET_TIMEOUT:value})");
  }

  @Test
  void fileContentThatIsNotUtf8IsRefusedLikeTheFileItself() {
    byte[] content = "mesh:\n  services:\n    reviews:\n      subsets: { v1: { version: \"\u00ffx\" } }\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> MeshConfig.fromFileContent(Path.of("mesh.yaml"), content))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("mesh.yaml: cannot be read (not valid UTF-8");
  }

  @Test
  void aKeyWithLineBreaksIsEscapedInTheMessage() {
    List<String> problems = problems("mesh:\n  services:\n    reviews:\n      \"time\\r\\nout\": 2s\n");
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith("mesh.services.reviews.time\\r\\nout: unknown key").doesNotContain("\n")
        .doesNotContain("\r");
  }
}
