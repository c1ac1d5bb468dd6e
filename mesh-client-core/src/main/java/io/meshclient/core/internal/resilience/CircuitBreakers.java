package io.meshclient.core.internal.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.BreakerConfig;

/** Creates resilience4j circuit breakers from {@link BreakerConfig}, timed by a {@link Ticker}. */
public final class CircuitBreakers {
  private CircuitBreakers() {}

  /**
   * The breaker named {@code name} in {@code registry} with these settings: the existing one if its
   * settings are the same, else a new one replacing it.
   */
  public static CircuitBreaker obtain(CircuitBreakerRegistry registry, String name, BreakerConfig config,
      Ticker ticker) {
    CircuitBreakerConfig wanted = CircuitBreakerConfig.custom()
        .failureRateThreshold(config.failureRateThreshold())
        .slowCallRateThreshold(config.slowCallRateThreshold())
        .slowCallDurationThreshold(config.slowCallDuration())
        .slidingWindow(config.slidingWindow(), config.minimumCalls(),
            CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .waitDurationInOpenState(config.openFor())
        .permittedNumberOfCallsInHalfOpenState(config.halfOpenProbes())
        .writableStackTraceEnabled(false)
        .clock(new TickerClock(ticker))
        .build();
    CircuitBreaker existing = registry.find(name).orElse(null);
    if (existing != null && sameSettings(existing.getCircuitBreakerConfig(), wanted)) {
      return existing;
    }
    CircuitBreaker breaker = CircuitBreaker.of(name, wanted);
    if (existing == null) {
      registry.circuitBreaker(name, wanted);
    }
    registry.replace(name, breaker);
    return breaker;
  }

  private static boolean sameSettings(CircuitBreakerConfig a, CircuitBreakerConfig b) {
    return a.getFailureRateThreshold() == b.getFailureRateThreshold()
        && a.getSlowCallRateThreshold() == b.getSlowCallRateThreshold()
        && a.getSlowCallDurationThreshold().equals(b.getSlowCallDurationThreshold())
        && a.getSlidingWindowSize() == b.getSlidingWindowSize()
        && a.getMinimumNumberOfCalls() == b.getMinimumNumberOfCalls()
        && a.getPermittedNumberOfCallsInHalfOpenState() == b.getPermittedNumberOfCallsInHalfOpenState()
        && a.getWaitIntervalFunctionInOpenState().apply(1).equals(b.getWaitIntervalFunctionInOpenState().apply(1));
  }
}
