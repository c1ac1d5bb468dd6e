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
   * The breaker named {@code name} with these settings: the one in {@code registry} if its settings are the
   * same, else a new one, not put in the registry (see {@link #put}).
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
    return CircuitBreaker.of(name, wanted);
  }

  /** Puts {@code breaker} in {@code registry}, replacing the one of its name, if it is not there already. */
  public static void put(CircuitBreakerRegistry registry, CircuitBreaker breaker) {
    CircuitBreaker existing = registry.find(breaker.getName()).orElse(null);
    if (existing == breaker) {
      return;
    }
    if (existing == null) {
      registry.circuitBreaker(breaker.getName(), breaker.getCircuitBreakerConfig());
    }
    registry.replace(breaker.getName(), breaker);
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
