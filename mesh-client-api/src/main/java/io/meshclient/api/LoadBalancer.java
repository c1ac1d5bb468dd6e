package io.meshclient.api;

import java.util.List;

/**
 * Chooses the instance for each request among the healthy instances of one subset of a service.
 *
 * <p>The mesh creates one balancer per service subset through a {@link
 * io.meshclient.api.spi.LoadBalancerProvider}, calls {@link #pick} on the request path and reports every
 * attempt with {@link #onStart} and {@link #onComplete}.
 *
 * <p><b>Contract for implementations.</b> All methods are called concurrently from many threads and must
 * be thread-safe. {@link #pick} is on the hot path: it must not block, lock or allocate. The list passed
 * to {@code pick} is immutable, never empty, and the same object from one discovery update to the next,
 * so an implementation can cache per-list state and rebuild it when it sees a different list.
 */
public interface LoadBalancer {

  /**
   * Returns one element of {@code instances}.
   *
   * @param instances the candidates: non-empty, immutable
   * @param context the request being routed; valid only during this call
   */
  ServiceInstance pick(List<ServiceInstance> instances, RequestContext context);

  /** Called when a request is about to be sent to {@code instance}, which {@link #pick} returned. */
  default void onStart(ServiceInstance instance) {}

  /**
   * Called once for every {@link #onStart}, when the attempt ends.
   *
   * @param latencyNanos time from start to the end of the attempt
   */
  default void onComplete(ServiceInstance instance, CallOutcome outcome, long latencyNanos) {}
}
