package io.meshclient.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings every service takes unless it says otherwise ({@code mesh.defaults}).
 *
 * @param loadBalancer the balancer (default {@code least-request})
 * @param timeout the read and write timeout of each attempt (default 10s); the whole call is bounded by
 *     {@code retry.deadline}
 * @param connectTimeout the TCP (and TLS) connect timeout (default 1s)
 * @param maxConcurrentRequests requests in flight per service (default 1024, Envoy's default)
 * @param connectionPool keep-alive pool settings
 * @param allowedAddresses CIDR blocks every service's instances must resolve into, or null for no limit
 */
public record ServiceDefaults(
    BalancerConfig loadBalancer,
    Duration timeout,
    Duration connectTimeout,
    int maxConcurrentRequests,
    ConnectionPoolConfig connectionPool,
    java.util.List<String> allowedAddresses) {

  /** The documented defaults. */
  public static final ServiceDefaults DEFAULT = new ServiceDefaults(
      BalancerConfig.named(MeshKeys.LOAD_BALANCER.defaultValue()), MeshKeys.TIMEOUT.defaultDuration(),
      MeshKeys.CONNECT_TIMEOUT.defaultDuration(), MeshKeys.MAX_CONCURRENT.defaultInt(), ConnectionPoolConfig.DEFAULT,
      null);

  public ServiceDefaults {
    Objects.requireNonNull(loadBalancer, "loadBalancer");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(connectionPool, "connectionPool");
    allowedAddresses = allowedAddresses == null ? null : java.util.List.copyOf(allowedAddresses);
  }

  public ServiceDefaults withLoadBalancer(BalancerConfig balancer) {
    return new ServiceDefaults(balancer, timeout, connectTimeout, maxConcurrentRequests, connectionPool, allowedAddresses);
  }

  public ServiceDefaults withTimeout(Duration callTimeout) {
    return new ServiceDefaults(loadBalancer, callTimeout, connectTimeout, maxConcurrentRequests, connectionPool, allowedAddresses);
  }

  public ServiceDefaults withConnectTimeout(Duration timeoutToConnect) {
    return new ServiceDefaults(loadBalancer, timeout, timeoutToConnect, maxConcurrentRequests, connectionPool, allowedAddresses);
  }

  public ServiceDefaults withMaxConcurrentRequests(int max) {
    return new ServiceDefaults(loadBalancer, timeout, connectTimeout, max, connectionPool, allowedAddresses);
  }

  /** Limits every service's instances to these CIDR blocks (null: no limit). */
  public ServiceDefaults withAllowedAddresses(java.util.List<String> cidrs) {
    return new ServiceDefaults(loadBalancer, timeout, connectTimeout, maxConcurrentRequests, connectionPool, cidrs);
  }

  public ServiceDefaults withConnectionPool(ConnectionPoolConfig pool) {
    return new ServiceDefaults(loadBalancer, timeout, connectTimeout, maxConcurrentRequests, pool, allowedAddresses);
  }
}
