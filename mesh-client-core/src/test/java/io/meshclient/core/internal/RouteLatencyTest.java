package io.meshclient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class RouteLatencyTest {

  @Test
  void noPercentileUntilTheMinimumSamplesThenWithinTheBucketError() {
    RouteLatency latency = new RouteLatency(95, 100);
    for (int i = 0; i < 99; i++) {
      latency.record(5_000_000);
    }
    assertThat(latency.percentileNanos()).as("99 samples are not enough").isEqualTo(-1);
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 20_000; i++) {
      latency.record(1_000_000 + random.nextLong(9_000_000)); // uniform 1..10 ms
    }
    assertThat(latency.percentileNanos()).isCloseTo(9_550_000, Percentage.withPercentage(20));
  }

  @Test
  void recentSamplesOutweighOldOnesOnceTheWindowFades() {
    RouteLatency latency = new RouteLatency(50, 10);
    for (int i = 0; i < 10_000; i++) {
      latency.record(2_000_000);
    }
    assertThat(latency.percentileNanos()).isCloseTo(2_000_000, Percentage.withPercentage(20));
    for (int i = 0; i < 30_000; i++) {
      latency.record(40_000_000);
    }
    assertThat(latency.percentileNanos()).isCloseTo(40_000_000, Percentage.withPercentage(20));
  }

  @Test
  void bucketsCoverMicrosecondsToMinutesAndBoundTheirValues() {
    for (long nanos : new long[] {1_024, 1_500, 999_999, 123_456_789, 60_000_000_000L}) {
      int bucket = RouteLatency.bucket(nanos);
      assertThat(RouteLatency.upperBound(bucket)).isGreaterThanOrEqualTo(nanos);
      assertThat(RouteLatency.upperBound(bucket)).isLessThan(nanos + nanos / 4 + 1);
    }
  }

  /**
   * The histogram halves itself at twice {@link RouteLatency#WINDOW} samples: {@code min-samples} up to the window
   * (the key's largest value) is reached and stays reached through every fade, where 20000 never was.
   */
  @Test
  void theLargestMinimumSamplesIsReachedAndKeptThroughFades() {
    RouteLatency largest = new RouteLatency(50, RouteLatency.WINDOW);
    RouteLatency beyond = new RouteLatency(50, 20_000);
    for (int i = 0; i < 50_000; i++) {
      largest.record(3_000_000);
      beyond.record(3_000_000);
      if (i >= RouteLatency.WINDOW) {
        assertThat(largest.percentileNanos()).as("after %d samples", i + 1).isPositive();
      }
    }
    assertThat(beyond.percentileNanos()).as("a minimum beyond the window is never met").isEqualTo(-1);
  }
}
