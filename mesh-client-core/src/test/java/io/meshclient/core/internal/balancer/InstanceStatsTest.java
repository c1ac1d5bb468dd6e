package io.meshclient.core.internal.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

/** Peak EWMA's arithmetic, with the decay at 10 s and the time passed in. */
class InstanceStatsTest {
  private static final double DECAY_NANOS = 10e9;
  private static final double PENALTY_NANOS = 1e12;

  @Test
  void aFasterAnswerPullsTheDecayedCostDownAndASlowerOneReplacesIt() {
    InstanceStats stats = new InstanceStats();
    long t0 = 1_000_000_000L;
    stats.observe(20_000_000, t0, DECAY_NANOS);
    long tenSecondsLater = t0 + 10_000_000_000L;
    double decayed = stats.load(PENALTY_NANOS, tenSecondsLater, DECAY_NANOS);
    assertThat(decayed).isCloseTo(20_000_000 / Math.E, offset(1.0));

    stats.observe(5_000_000, tenSecondsLater, DECAY_NANOS);
    double afterFaster = stats.load(PENALTY_NANOS, tenSecondsLater, DECAY_NANOS);
    // the decayed 7.36 ms pulled towards 5 ms with weight 1 - 1/e: 5.87 ms, between the two
    assertThat(afterFaster).isBetween(5_000_000.0, decayed)
        .isCloseTo(decayed / Math.E + 5_000_000 * (1 - 1 / Math.E), offset(1.0));

    stats.observe(9_000_000, tenSecondsLater, DECAY_NANOS);
    assertThat(stats.load(PENALTY_NANOS, tenSecondsLater, DECAY_NANOS)).isEqualTo(9_000_000.0);
  }

  @Test
  void theScoreIsTheDecayedCostTimesInFlightPlusOneAndAnUnmeasuredBusyInstanceScoresWorstOfAll() {
    InstanceStats stats = new InstanceStats();
    assertThat(stats.load(PENALTY_NANOS, 0, DECAY_NANOS)).as("unmeasured, idle").isZero();
    stats.inFlight.incrementAndGet();
    assertThat(stats.load(PENALTY_NANOS, 0, DECAY_NANOS)).as("unmeasured, busy").isEqualTo(PENALTY_NANOS + 1);
    stats.observe(2_000_000, 0, DECAY_NANOS);
    assertThat(stats.load(PENALTY_NANOS, 0, DECAY_NANOS)).isEqualTo(4_000_000.0);
    assertThat(stats.load(PENALTY_NANOS, 20_000_000_000L, DECAY_NANOS))
        .isCloseTo(4_000_000 * Math.exp(-2), offset(1.0));
  }

  @Test
  void comparingWithoutTheClockDecidesAsTheLoadsReadAtOneInstant() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(42);
    int compared = 0;
    for (int i = 0; i < 100_000; i++) {
      InstanceStats a = randomStats(random);
      InstanceStats b = randomStats(random);
      long now = 200_000_000_000L + random.nextLong(100_000_000_000L); // after every stamp
      double loadA = a.load(PENALTY_NANOS, now, DECAY_NANOS);
      double loadB = b.load(PENALTY_NANOS, now, DECAY_NANOS);
      if (Math.abs(loadA - loadB) <= 1e-9 * Math.max(loadA, loadB)) {
        continue; // a tie within rounding: either answer is right
      }
      compared++;
      assertThat(b.lighterThan(a, PENALTY_NANOS, DECAY_NANOS)).as("b %s a at %d: loads %s, %s", i, now, loadB, loadA)
          .isEqualTo(loadB < loadA);
    }
    assertThat(compared).isGreaterThan(90_000);
  }

  /** Unmeasured (idle or busy) one time in ten, else one to three samples of 100 µs to 1 s, up to 200 s. */
  private static InstanceStats randomStats(java.util.SplittableRandom random) {
    InstanceStats stats = new InstanceStats();
    int pending = random.nextInt(4);
    for (int p = 0; p < pending; p++) {
      stats.inFlight.incrementAndGet();
    }
    if (random.nextInt(10) > 0) {
      long t = random.nextLong(100_000_000_000L);
      for (int k = 1 + random.nextInt(3); k > 0; k--) {
        stats.observe(100_000 + random.nextLong(1_000_000_000L), t, DECAY_NANOS);
        t += random.nextLong(50_000_000_000L);
      }
    }
    return stats;
  }
}
