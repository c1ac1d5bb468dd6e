package io.meshclient.api.spi;

import io.meshclient.api.LoadBalancer;

/**
 * Creates {@link LoadBalancer}s of one kind, found by {@link #name()} (as in {@code load-balancer:
 * round-robin}). Implementations have a public no-argument constructor and are listed in {@code
 * META-INF/services/io.meshclient.api.spi.LoadBalancerProvider}.
 */
public interface LoadBalancerProvider {

  /** The stable name users configure, lower-case with dashes, such as {@code least-request}. */
  String name();

  /**
   * Creates a balancer for one subset of one service. Called when the configuration is applied, never
   * on the request path.
   *
   * @throws io.meshclient.api.ConfigurationException if an option is invalid, naming its key
   */
  LoadBalancer create(BalancerContext context);
}
