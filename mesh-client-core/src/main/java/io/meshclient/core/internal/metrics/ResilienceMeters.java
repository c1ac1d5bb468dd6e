package io.meshclient.core.internal.metrics;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetricsPublisher;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.meshclient.core.internal.Lazy;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * resilience4j's meters ({@code resilience4j.ratelimiter.*}, {@code resilience4j.circuitbreaker.*}) of the rate
 * limiters and circuit breakers the mesh puts in its registries: published as each is put there, removed as it is
 * taken out. Not a binding to the registries ({@code TaggedRateLimiterMetrics.bindTo}): a resilience4j registry
 * keeps its event consumers for good, so a binding to a registry the application supplied outlived the mesh,
 * giving meters to every limiter or breaker the application added to it later, and its own meanwhile. Confined
 * to the runtime's lock, as the registries' entries are.
 */
public final class ResilienceMeters {
  private final TaggedRateLimiterMetricsPublisher limiters;
  /** Made with the first breaker: a mesh with none loads none of resilience4j's breaker classes. */
  private final Lazy<TaggedCircuitBreakerMetricsPublisher> breakers;
  /** What is published, by name: a limiter or breaker replaced under its name is published again. */
  private final Map<String, RateLimiter> publishedLimiters = new HashMap<>();
  private final Map<String, CircuitBreaker> publishedBreakers = new HashMap<>();

  private ResilienceMeters(MeterRegistry meters) {
    this.limiters = meters == null ? null : new TaggedRateLimiterMetricsPublisher(meters);
    this.breakers = meters == null ? null : new Lazy<>(new BreakerPublisher(meters));
  }

  /** Publishes into {@code meters}; nothing if it is null. */
  public static ResilienceMeters of(MeterRegistry meters) {
    return new ResilienceMeters(meters);
  }

  /** Publishes {@code limiter}'s meters, replacing those of an earlier limiter of its name. */
  public void limiterAdded(RateLimiter limiter) {
    if (limiters != null && publishedLimiters.get(limiter.getName()) != limiter) {
      limiterRemoved(limiter.getName());
      limiters.publishMetrics(limiter);
      publishedLimiters.put(limiter.getName(), limiter);
    }
  }

  /** Removes the meters of the limiter called {@code name}, if published. */
  public void limiterRemoved(String name) {
    RateLimiter limiter = publishedLimiters.remove(name);
    if (limiter != null) {
      limiters.removeMetrics(limiter);
    }
  }

  /** Publishes {@code breaker}'s meters, replacing those of an earlier breaker of its name. */
  public void breakerAdded(CircuitBreaker breaker) {
    if (breakers != null && publishedBreakers.get(breaker.getName()) != breaker) {
      breakerRemoved(breaker.getName());
      breakers.get().publishMetrics(breaker);
      publishedBreakers.put(breaker.getName(), breaker);
    }
  }

  /** Removes the meters of the breaker called {@code name}, if published. */
  public void breakerRemoved(String name) {
    CircuitBreaker breaker = publishedBreakers.remove(name);
    if (breaker != null) {
      breakers.get().removeMetrics(breaker);
    }
  }

  /**
   * Makes the breakers' meter publisher. A class, not a lambda: linking a lambda that returns the publisher loads
   * its classes (and resilience4j's breaker metrics) with the mesh, breakers or not.
   */
  private static final class BreakerPublisher implements java.util.function.Supplier<TaggedCircuitBreakerMetricsPublisher> {
    private final MeterRegistry meters;

    BreakerPublisher(MeterRegistry meters) {
      this.meters = meters;
    }

    @Override
    public TaggedCircuitBreakerMetricsPublisher get() {
      return new TaggedCircuitBreakerMetricsPublisher(meters);
    }
  }
}
