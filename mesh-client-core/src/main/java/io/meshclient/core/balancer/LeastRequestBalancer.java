package io.meshclient.core.balancer;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Power of two choices on requests in flight (Envoy's {@code LEAST_REQUEST}): draw two distinct
 * instances at random and take the one with fewer requests in flight. Nearly as good as scanning all
 * instances, with O(1) cost and no herd behaviour when many clients see the same counts.
 */
final class LeastRequestBalancer implements LoadBalancer {
  private final RandomGenerator random;
  private volatile InFlightTable table = InFlightTable.empty();

  /** @param random the source of draws, or null for {@link ThreadLocalRandom} */
  LeastRequestBalancer(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public ServiceInstance pick(List<ServiceInstance> instances, RequestContext context) {
    int n = instances.size();
    if (n == 1) {
      return instances.get(0);
    }
    InFlightTable t = table(instances);
    RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
    int a = r.nextInt(n);
    int b = r.nextInt(n - 1);
    if (b >= a) {
      b++;
    }
    int loadA = t.inFlight[a].get();
    int loadB = t.inFlight[b].get();
    return instances.get(loadB < loadA ? b : a);
  }

  @Override
  public void onStart(ServiceInstance instance) {
    AtomicInteger counter = table.counter(instance);
    if (counter != null) {
      counter.incrementAndGet();
    }
  }

  @Override
  public void onComplete(ServiceInstance instance, CallOutcome outcome, long latencyNanos) {
    AtomicInteger counter = table.counter(instance);
    if (counter != null) {
      counter.decrementAndGet();
    }
  }

  private InFlightTable table(List<ServiceInstance> instances) {
    InFlightTable t = table;
    if (t.instances != instances) {
      synchronized (this) {
        t = table;
        if (t.instances != instances) {
          t = t.next(instances);
          table = t;
        }
      }
    }
    return t;
  }

  /** Provides {@code least-request}. */
  public static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return "least-request";
    }

    @Override
    public LoadBalancer create(BalancerContext context) {
      return new LeastRequestBalancer(null);
    }
  }
}
