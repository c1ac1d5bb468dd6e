package io.meshclient.core.internal.balancer;

import io.meshclient.api.LoadBalancer;
import java.util.random.RandomGenerator;

/** Static factories for the built-in balancers, for code that does not go through configuration. */
public final class Balancers {
  private Balancers() {}

  /** Takes the instances in turn. */
  public static LoadBalancer roundRobin() {
    return new RoundRobinBalancer();
  }

  /** Takes a uniformly random instance. */
  public static LoadBalancer random() {
    return new RandomBalancer();
  }

  /** Takes instances in proportion to their weights, spread smoothly (nginx's smooth weighted round-robin). */
  public static LoadBalancer weightedRoundRobin() {
    return new WeightedRoundRobinBalancer();
  }

  /** Of two random instances, takes the one with fewer requests in flight (power of two choices). */
  public static LoadBalancer leastRequest() {
    return new LeastRequestBalancer(null);
  }

  /** {@link #leastRequest()} drawing from {@code random}, for deterministic tests. */
  public static LoadBalancer leastRequest(RandomGenerator random) {
    return new LeastRequestBalancer(random);
  }
}
