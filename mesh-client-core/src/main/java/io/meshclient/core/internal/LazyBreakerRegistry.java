package io.meshclient.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The mesh's circuit-breaker registry, created, and bound to the meter registry, when a service first
 * configures a breaker or someone asks for it. Most meshes configure none; they then load none of
 * resilience4j's breaker classes (about 10 ms of CPU on a cold JVM, which an application's start-up
 * pays). A registry supplied by the application is used as it is, bound at once. Thread-safe.
 */
public final class LazyBreakerRegistry {
  private final MeterRegistry meters;
  private volatile CircuitBreakerRegistry registry;

  /**
   * @param supplied the application's registry, or null for one made on first use
   * @param meters where the breakers' meters go, or null for none
   */
  public LazyBreakerRegistry(CircuitBreakerRegistry supplied, MeterRegistry meters) {
    this.meters = meters;
    if (supplied != null) {
      bind(supplied);
      this.registry = supplied;
    }
  }

  /** The registry, created now if it was not yet. */
  public CircuitBreakerRegistry get() {
    CircuitBreakerRegistry r = registry;
    if (r == null) {
      synchronized (this) {
        r = registry;
        if (r == null) {
          r = CircuitBreakerRegistry.ofDefaults();
          bind(r);
          registry = r;
        }
      }
    }
    return r;
  }

  /** The registry if it exists, else null (nothing to look at or clean up then). */
  CircuitBreakerRegistry ifCreated() {
    return registry;
  }

  private void bind(CircuitBreakerRegistry r) {
    if (meters != null) {
      TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(r).bindTo(meters);
    }
  }
}
