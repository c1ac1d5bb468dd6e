package io.meshclient.core.internal.balancer;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Power of two choices on requests in flight (Envoy's {@code LEAST_REQUEST}): draw two distinct
 * instances at random and take the one with fewer requests in flight. Nearly as good as scanning all
 * instances, with O(1) cost and no herd behaviour when many clients see the same counts.
 */
final class LeastRequestBalancer extends StatefulBalancer {
  private final RandomGenerator random;

  /** @param random the source of draws, or null for {@link ThreadLocalRandom} */
  LeastRequestBalancer(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public ServiceInstance pick(List<ServiceInstance> instances, RequestContext context) {
    return pickOfTwo(instances, random != null ? random : ThreadLocalRandom.current());
  }

  @Override
  boolean lighter(InstanceStats b, InstanceStats a) {
    return b.inFlight.get() < a.inFlight.get();
  }

  /** Provides {@code least-request}. */
  public static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return "least-request";
    }

    @Override
    public LoadBalancer create(BalancerContext context) {
      BalancerOptions.allowOnly(context, java.util.Set.of()); // an option here would be ignored
      return new LeastRequestBalancer(null);
    }
  }
}
