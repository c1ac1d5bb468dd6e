package io.meshclient.core;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.meshclient.core.internal.Lazy;
import io.meshclient.core.internal.metrics.MeshMetrics;
import io.meshclient.core.internal.metrics.ResilienceMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * The registries a mesh adds its rate limiters and circuit breakers to and the meters it records into the
 * application's meter registry when it gives one; and the listener that records into those meters. Nothing is
 * attached to the registries themselves: what the mesh adds to the meter registry, it removes on close.
 *
 * @param limiters every rate limiter of the mesh
 * @param breakers made when a service first configures a breaker or someone asks for it: most meshes configure
 *     none, and then load none of resilience4j's breaker classes (about 10 ms of CPU on a cold JVM)
 * @param resilienceMeters the meters of the mesh's own limiters and breakers, published as it adds each
 * @param metrics the meters this mesh registered; null without a meter registry
 * @param listener the application's listener, after the meters when there are some
 */
record MeshRegistries(RateLimiterRegistry limiters, Lazy<CircuitBreakerRegistry> breakers,
    ResilienceMeters resilienceMeters, MeshMetrics metrics, MeshListener listener) {

  /** The given registries, or new ones where null, the mesh's entries published to {@code meters} unless null. */
  static MeshRegistries of(RateLimiterRegistry rateLimiterRegistry, CircuitBreakerRegistry circuitBreakerRegistry,
      MeterRegistry meters, MeshListener listener) {
    RateLimiterRegistry limiterRegistry = rateLimiterRegistry != null ? rateLimiterRegistry
        : RateLimiterRegistry.ofDefaults();
    Lazy<CircuitBreakerRegistry> breakerRegistry = circuitBreakerRegistry != null
        ? Lazy.of(circuitBreakerRegistry)
        : new Lazy<>(new DefaultBreakers());
    MeshMetrics metrics = meters == null ? null : new MeshMetrics(meters);
    if (metrics != null) {
      listener = listener == MeshListener.NONE ? metrics : MeshListener.of(List.of(metrics, listener));
    }
    return new MeshRegistries(limiterRegistry, breakerRegistry, ResilienceMeters.of(meters), metrics, listener);
  }

  /**
   * Makes resilience4j's default breaker registry. A class, not {@code CircuitBreakerRegistry::ofDefaults}: linking
   * that method reference loads the registry's classes when the mesh is built, breakers or not.
   */
  private static final class DefaultBreakers implements java.util.function.Supplier<CircuitBreakerRegistry> {
    @Override
    public CircuitBreakerRegistry get() {
      return CircuitBreakerRegistry.ofDefaults();
    }
  }
}
