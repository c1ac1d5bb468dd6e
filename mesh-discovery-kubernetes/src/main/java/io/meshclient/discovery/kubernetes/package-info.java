/**
 * Service discovery from Kubernetes EndpointSlices: {@link
 * io.meshclient.discovery.kubernetes.KubernetesDiscoveryProvider} (the {@code kubernetes} provider), its
 * settings {@link io.meshclient.discovery.kubernetes.KubernetesDiscoverySettings}, and, as for Consul, the
 * watch figures {@link io.meshclient.discovery.kubernetes.KubernetesWatchListener} with their Micrometer
 * binder {@link io.meshclient.discovery.kubernetes.KubernetesDiscoveryMetrics}. Every other type here is
 * package-private and may change.
 */
package io.meshclient.discovery.kubernetes;
