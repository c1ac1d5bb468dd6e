package io.meshclient.core.internal;

import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.internal.metrics.ResilienceMeters;
import io.meshclient.core.internal.ratelimit.GcraRateLimiter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The rate limiters of the mesh, by name ({@code <service>}, {@code <service>/<route>}): one whose settings do not
 * change is kept, with its bucket; those a swap makes are put in the registry, with their meters, once it is
 * applied, and forgotten if it is refused. Confined to the runtime's lock, as {@link ServiceStates} is.
 */
final class MeshLimiters {
  private final RateLimiterRegistry registry;
  private final ResilienceMeters meters;
  private final Ticker ticker;
  private final Map<String, GcraRateLimiter> inForce = new HashMap<>();
  /** Made by the swap under way. */
  private final Map<String, GcraRateLimiter> swapped = new HashMap<>();

  MeshLimiters(RateLimiterRegistry registry, ResilienceMeters meters, Ticker ticker) {
    this.registry = registry;
    this.meters = meters;
    this.ticker = ticker;
  }

  /**
   * The limiter {@code name} for the swap under way: the one in force, or the one this swap made, if its settings
   * are the same.
   */
  GcraRateLimiter obtain(String name, RateLimitConfig limit) {
    GcraRateLimiter current = inForce.get(name);
    if (current != null && current.config().equals(limit)) {
      return current;
    }
    GcraRateLimiter made = swapped.get(name);
    if (made != null && made.config().equals(limit)) {
      return made;
    }
    GcraRateLimiter limiter = GcraRateLimiter.of(name, limit, ticker);
    swapped.put(name, limiter);
    return limiter;
  }

  /** The swap is applied: the limiters it made are put in force and in the registry, their meters published. */
  void commit() {
    swapped.forEach((name, limiter) -> {
      inForce.put(name, limiter);
      if (registry.find(name).isEmpty()) {
        registry.rateLimiter(name);
      }
      registry.replace(name, limiter);
      meters.limiterAdded(limiter);
    });
    swapped.clear();
  }

  /** The swap is refused: the limiters in force stay. */
  void discard() {
    swapped.clear();
  }

  /** Takes the limiters {@code gone} names out of force and out of the registry, with their meters. */
  void removeIf(Predicate<String> gone) {
    inForce.keySet().removeIf(name -> {
      boolean remove = gone.test(name);
      if (remove) {
        registry.remove(name);
        meters.limiterRemoved(name);
      }
      return remove;
    });
  }

  /** Takes every limiter out of the registry, with its meters. */
  void close() {
    swapped.clear();
    removeIf(name -> true);
  }
}
