package io.meshclient.core.internal.balancer;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;

/** A user-written balancer, registered through META-INF/services in the test classpath. */
public final class FirstInstanceBalancerProvider implements LoadBalancerProvider {
  @Override
  public String name() {
    return "first";
  }

  @Override
  public LoadBalancer create(BalancerContext context) {
    return (instances, request) -> instances.get(0);
  }
}
