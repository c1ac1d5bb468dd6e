package io.meshclient.core.config;

/**
 * What one subset of a service does differently from the service (Istio's {@code subsets[].trafficPolicy}):
 * calls routed to the subset use these settings instead of the service's.
 *
 * @param loadBalancer the subset's balancer, or null for the service's (key {@code load-balancer})
 */
public record SubsetPolicyConfig(BalancerConfig loadBalancer) {}
