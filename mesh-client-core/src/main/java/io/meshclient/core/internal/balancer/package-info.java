/**
 * The built-in load balancers, each found by name through its provider: {@code round-robin}, {@code
 * random}, {@code weighted-round-robin}, {@code least-request}, {@code peak-ewma} and {@code ring-hash}. {@link
 * io.meshclient.core.internal.balancer.Balancers} creates them directly.
 */
package io.meshclient.core.internal.balancer;
