package io.meshclient.core.internal.balancer;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

final class RandomBalancer implements LoadBalancer {
  @Override
  public ServiceInstance pick(List<ServiceInstance> instances, RequestContext context) {
    return instances.get(ThreadLocalRandom.current().nextInt(instances.size()));
  }

  /** Provides {@code random}. */
  public static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return "random";
    }

    @Override
    public LoadBalancer create(BalancerContext context) {
      BalancerOptions.allowOnly(context, java.util.Set.of()); // an option here would be ignored
      return new RandomBalancer();
    }
  }
}
