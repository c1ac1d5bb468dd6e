/**
 * Service discovery from Consul: {@link io.meshclient.discovery.consul.ConsulDiscoveryProvider} (the
 * {@code consul} provider), its settings {@link io.meshclient.discovery.consul.ConsulDiscoverySettings},
 * and the watch figures {@link io.meshclient.discovery.consul.ConsulWatchListener} with their Micrometer
 * binder {@link io.meshclient.discovery.consul.ConsulDiscoveryMetrics}. Every other type here is
 * package-private and may change.
 */
package io.meshclient.discovery.consul;
