package io.meshclient.core;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.meshclient.core.internal.Lazy;
import io.meshclient.core.internal.metrics.MeshMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * The registries a mesh adds its rate limiters and circuit breakers to and the meters it records, bound to
 * the application's meter registry when it gives one; and the listener that records into those meters.
 *
 * @param limiters every rate limiter of the mesh
 * @param breakers made, and bound to the meters, when a service first configures a breaker or someone asks for
 *     it: most meshes configure none, and then load none of resilience4j's breaker classes (about 10 ms of CPU
 *     on a cold JVM). A registry the application supplies is bound at once.
 * @param metrics the meters this mesh registered; null without a meter registry
 * @param listener the application's listener, after the meters when there are some
 */
record MeshRegistries(RateLimiterRegistry limiters, Lazy<CircuitBreakerRegistry> breakers, MeshMetrics metrics,
    MeshListener listener) {

  /** The given registries, or new ones where null, bound to {@code meters} unless it is null. */
  static MeshRegistries of(RateLimiterRegistry rateLimiterRegistry, CircuitBreakerRegistry circuitBreakerRegistry,
      MeterRegistry meters, MeshListener listener) {
    RateLimiterRegistry limiterRegistry = rateLimiterRegistry != null ? rateLimiterRegistry
        : RateLimiterRegistry.ofDefaults();
    Lazy<CircuitBreakerRegistry> breakerRegistry = circuitBreakerRegistry != null
        ? Lazy.of(bound(circuitBreakerRegistry, meters))
        : new Lazy<>(() -> bound(CircuitBreakerRegistry.ofDefaults(), meters));
    MeshMetrics metrics = meters == null ? null : new MeshMetrics(meters);
    if (metrics != null) {
      TaggedRateLimiterMetrics.ofRateLimiterRegistry(limiterRegistry).bindTo(meters);
      listener = listener == MeshListener.NONE ? metrics : MeshListener.of(List.of(metrics, listener));
    }
    return new MeshRegistries(limiterRegistry, breakerRegistry, metrics, listener);
  }

  private static CircuitBreakerRegistry bound(CircuitBreakerRegistry registry, MeterRegistry meters) {
    if (meters != null) {
      TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
    }
    return registry;
  }
}
