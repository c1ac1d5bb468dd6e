package io.meshclient.core.internal.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.config.RateLimitConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GcraRateLimiterTest {
  private final FakeTicker ticker = new FakeTicker();

  @Test
  void noWindowAdmitsMoreThanBurstPlusRateTimesItsLength() {
    int rate = 200;
    int burst = 20;
    GcraRateLimiter limiter = GcraRateLimiter.of("ratings", RateLimitConfig.perSecond(rate, burst), ticker);
    SplittableRandom random = new SplittableRandom(42);
    List<Long> admitted = new ArrayList<>();
    // Bursty arrivals: quiet gaps, then floods far above the rate, over 10 simulated seconds.
    for (int i = 0; i < 40_000; i++) {
      ticker.advanceNanos(random.nextInt(10) == 0 ? random.nextLong(50_000_000L) : random.nextLong(200_000L));
      if (limiter.acquirePermission(1)) {
        admitted.add(ticker.nanoTime());
      }
    }
    assertThat(admitted.size()).isGreaterThan(1000);
    double ratePerNano = rate / 1e9;
    for (int i = 0; i < admitted.size(); i++) {
      for (int j = i; j < admitted.size(); j++) {
        long window = admitted.get(j) - admitted.get(i);
        int count = j - i + 1;
        if (count > burst + ratePerNano * window + 1e-9) {
          throw new AssertionError(count + " admitted in " + window + " ns; bound is "
              + (burst + ratePerNano * window));
        }
      }
    }
  }

  @Test
  void burstIsAdmittedAtOnceThenNothingUntilATokenIsBack() {
    GcraRateLimiter limiter = GcraRateLimiter.of("r", RateLimitConfig.perSecond(100, 5), ticker);
    int admitted = 0;
    for (int i = 0; i < 50; i++) {
      admitted += limiter.acquirePermission(1) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(5);
    assertThat(limiter.availablePermissions()).isZero();
    ticker.advance(Duration.ofMillis(9));
    assertThat(limiter.acquirePermission(1)).isFalse();
    ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.acquirePermission(1)).isTrue();
  }

  @Test
  void steadyCallerIsAdmittedAtTheRate() {
    GcraRateLimiter limiter = GcraRateLimiter.of("r", RateLimitConfig.perSecond(200, 20), ticker);
    int admitted = 0;
    // 1,000 calls per second for 10 s: five times the rate.
    for (int i = 0; i < 10_000; i++) {
      ticker.advance(Duration.ofMillis(1));
      admitted += limiter.acquirePermission(1) ? 1 : 0;
    }
    assertThat(admitted).isBetween(200 * 10 + 20 - 1, 200 * 10 + 20);
  }

  @Test
  void callerExactlyAtTheRateIsNeverRefused() {
    GcraRateLimiter limiter = GcraRateLimiter.of("r", RateLimitConfig.perSecond(200, 1), ticker);
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.acquirePermission(1)).isTrue();
      ticker.advance(Duration.ofMillis(5));
    }
  }

  @Test
  void refusalsAndAdmissionsArePublishedAsResilience4jEvents() {
    GcraRateLimiter limiter = GcraRateLimiter.of("r", RateLimitConfig.perSecond(1, 1), ticker);
    AtomicInteger successes = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    limiter.getEventPublisher().onSuccess(e -> successes.incrementAndGet()).onFailure(e -> failures.incrementAndGet());
    limiter.acquirePermission(1);
    limiter.acquirePermission(1);
    assertThat(successes).hasValue(1);
    assertThat(failures).hasValue(1);
    assertThat(limiter.getRateLimiterConfig().getLimitForPeriod()).isEqualTo(1);
  }

  @Test
  void fitsInAResilience4jRegistry() {
    RateLimiterRegistry registry = RateLimiterRegistry.ofDefaults();
    GcraRateLimiter limiter = GcraRateLimiter.of("ratings", RateLimitConfig.perSecond(10, 2), ticker);
    registry.rateLimiter("ratings");
    registry.replace("ratings", limiter);
    assertThat(registry.rateLimiter("ratings")).isSameAs(limiter);
  }

  @Test
  void maxWaitLetsACallerWaitForTheNextToken() {
    GcraRateLimiter limiter = GcraRateLimiter.of("r",
        new RateLimitConfig(1, Duration.ofMillis(20), 1, Duration.ofMillis(100)), io.meshclient.core.Ticker.system());
    assertThat(limiter.acquirePermission(1)).isTrue();
    long start = System.nanoTime();
    assertThat(limiter.acquirePermission(1)).isTrue();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(15).toNanos());
  }
}
