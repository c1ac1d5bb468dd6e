package io.meshclient.core.internal.balancer;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

final class RoundRobinBalancer implements LoadBalancer {
  private final AtomicInteger next = new AtomicInteger();

  @Override
  public ServiceInstance pick(List<ServiceInstance> instances, RequestContext context) {
    return instances.get((next.getAndIncrement() & Integer.MAX_VALUE) % instances.size());
  }

  /** Provides {@code round-robin}. */
  public static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return "round-robin";
    }

    @Override
    public LoadBalancer create(BalancerContext context) {
      BalancerOptions.allowOnly(context, java.util.Set.of()); // an option here would be ignored
      return new RoundRobinBalancer();
    }
  }
}
