package io.meshclient.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.BreakerConfig;
import io.meshclient.core.internal.metrics.ResilienceMeters;
import io.meshclient.core.internal.resilience.CircuitBreakers;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The circuit breakers the mesh puts in its registry, by service: only these are ever removed, so an
 * application's own breakers in a registry it supplied outlive every reconfiguration and the close. Confined
 * to the runtime's lock, as {@link ServiceStates} is.
 */
final class MeshBreakers {
  private final Lazy<CircuitBreakerRegistry> registry;
  private final ResilienceMeters meters;
  private final Ticker ticker;
  private final Set<String> names = new HashSet<>();

  MeshBreakers(Lazy<CircuitBreakerRegistry> registry, ResilienceMeters meters, Ticker ticker) {
    this.registry = registry;
    this.meters = meters;
    this.ticker = ticker;
  }

  /** {@code service}'s breaker, from the registry, remembered as the mesh's, its meters published. */
  CircuitBreaker obtain(String service, BreakerConfig config) {
    names.add(service);
    CircuitBreaker breaker = CircuitBreakers.obtain(registry.get(), service, config, ticker);
    meters.breakerAdded(breaker);
    return breaker;
  }

  /** Removes from the registry, and their meters, the mesh's breakers whose service {@code gone} says has none. */
  void removeIf(Predicate<String> gone) {
    CircuitBreakerRegistry breakers = registry.ifMade();
    if (breakers != null) {
      names.removeIf(name -> {
        boolean remove = gone.test(name);
        if (remove) {
          breakers.remove(name);
          meters.breakerRemoved(name);
        }
        return remove;
      });
    }
  }

  /** Removes every breaker the mesh put in the registry. */
  void close() {
    removeIf(name -> true); // names is empty unless the registry was made
  }
}
