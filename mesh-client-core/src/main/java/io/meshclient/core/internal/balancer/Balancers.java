package io.meshclient.core.internal.balancer;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import java.util.random.RandomGenerator;

/**
 * Static factories for the built-in balancers, for code that does not go through configuration, and
 * {@link #create}, through which the mesh creates every configured balancer.
 */
public final class Balancers {
  private Balancers() {}

  /**
   * The balancer {@code provider} makes for {@code context}, measuring time with {@code ticker} if it is a
   * built-in balancer that measures time ({@code peak-ewma}); other providers get {@code context} alone.
   */
  public static LoadBalancer create(LoadBalancerProvider provider, BalancerContext context,
      io.meshclient.core.Ticker ticker) {
    return provider instanceof PeakEwmaBalancer.Provider peakEwma
        ? peakEwma.create(context, ticker) : provider.create(context);
  }

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

  /**
   * {@code delegate} with slow start: new and returning instances ramp up over the window (see {@link
   * io.meshclient.core.config.SlowStartConfig}). {@code random} null means {@link
   * java.util.concurrent.ThreadLocalRandom}.
   */
  public static LoadBalancer slowStart(LoadBalancer delegate, io.meshclient.core.config.SlowStartConfig config,
      io.meshclient.core.Ticker ticker, RandomGenerator random) {
    return new SlowStartBalancer(delegate, config, ticker, random);
  }

  /**
   * Zone-aware routing (see {@link io.meshclient.core.config.LocalityConfig}) over one balancer per
   * priority level, each from {@code balancers}. It implements {@link InstanceListListener}: tell it the
   * subset's instances, ejected ones included. {@code random} null means {@link
   * java.util.concurrent.ThreadLocalRandom}.
   */
  public static LoadBalancer locality(io.meshclient.core.config.LocalityConfig config,
      java.util.function.Supplier<LoadBalancer> balancers, RandomGenerator random) {
    return new LocalityBalancer(config, balancers, random);
  }

  /** {@link #leastRequest()} drawing from {@code random}, for deterministic tests. */
  public static LoadBalancer leastRequest(RandomGenerator random) {
    return new LeastRequestBalancer(random);
  }
}
