package io.meshclient.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.BreakerConfig;
import io.meshclient.core.internal.metrics.ResilienceMeters;
import io.meshclient.core.internal.resilience.CircuitBreakers;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
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
  /** The breakers of the swap under way, by service: put in the registry when it is applied, forgotten if not. */
  private final Map<String, CircuitBreaker> swapped = new HashMap<>();

  MeshBreakers(Lazy<CircuitBreakerRegistry> registry, ResilienceMeters meters, Ticker ticker) {
    this.registry = registry;
    this.meters = meters;
    this.ticker = ticker;
  }

  /** {@code service}'s breaker for the swap under way: the one in the registry if its settings are the same. */
  CircuitBreaker obtain(String service, BreakerConfig config) {
    CircuitBreaker breaker = CircuitBreakers.obtain(registry.get(), service, config, ticker);
    swapped.put(service, breaker);
    return breaker;
  }

  /** The swap is applied: its breakers are put in the registry, remembered as the mesh's, their meters published. */
  void commit() {
    if (swapped.isEmpty()) {
      return; // and no lambda linked: that would load resilience4j's CircuitBreaker with a mesh that has none
    }
    swapped.forEach((service, breaker) -> {
      names.add(service);
      CircuitBreakers.put(registry.get(), breaker);
      meters.breakerAdded(breaker);
    });
    swapped.clear();
  }

  /** The swap is refused: the registry keeps the breakers in force. */
  void discard() {
    swapped.clear();
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
    swapped.clear();
    removeIf(name -> true); // names is empty unless the registry was made
  }
}
