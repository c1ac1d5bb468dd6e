package io.meshclient.core.internal;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.LoadBalancer;
import io.meshclient.core.Ticker;
import io.meshclient.core.internal.balancer.Balancers;
import io.meshclient.core.config.ServiceConfig;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Puts a service's slow start and zone-aware routing around the balancers it configured: locality
 * outermost (one balancer per priority level), slow start inside each level's balancer.
 */
final class TrafficShaping {
  /** The balancers slow start works with, as in Envoy. */
  static final Set<String> SLOW_START_BALANCERS = Set.of("round-robin", "weighted-round-robin", "least-request");

  private TrafficShaping() {}

  /**
   * The balancer of one subset of a service.
   *
   * @param slowStartKey the key of {@code config}'s slow start, named when it cannot be used
   * @throws ConfigurationException if slow start is set for a balancer it does not work with
   */
  static LoadBalancer balancer(String slowStartKey, String balancerName, ServiceConfig config,
      Supplier<LoadBalancer> base, Ticker ticker) {
    Supplier<LoadBalancer> level = base;
    if (config.slowStart() != null) {
      if (!SLOW_START_BALANCERS.contains(balancerName)) {
        throw ConfigurationException.of(slowStartKey,
            "set with load-balancer " + balancerName, "load-balancer round-robin, weighted-round-robin or least-request");
      }
      level = () -> Balancers.slowStart(base.get(), config.slowStart(), ticker, null);
    }
    if (config.locality() != null) {
      return Balancers.locality(config.locality(), level, null);
    }
    return level.get();
  }
}
