package io.meshclient.core;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.ServiceInstance;
import java.util.List;

/**
 * Receives what the mesh does, for metrics and diagnostics. The mesh calls it on the request path, so
 * implementations must be fast, thread-safe and must not throw. One that throws from {@link #onServiceRemoved},
 * {@link #onInstanceRejected} or {@link #onReconfigure}, which a reload or a discovery's delivery calls, is logged at
 * WARNING and ignored: the reload completes as if it had returned. The mesh's own Micrometer meters (named in
 * {@link io.meshclient.core.metrics.MeshMetricNames}) are recorded by such a listener.
 */
public interface MeshListener {

  /** A listener that ignores everything. */
  MeshListener NONE = new MeshListener() {};

  /**
   * One listener that forwards every event to each of {@code listeners}, in order; it wants decisions
   * if any of them does (and only those receive them).
   */
  static MeshListener of(List<MeshListener> listeners) {
    return listeners.isEmpty() ? NONE : listeners.size() == 1 ? listeners.get(0) : new CompositeListener(listeners);
  }

  /**
   * A call through the mesh ended (after any retries).
   *
   * @param subset the chosen subset, or null for the whole service
   * @param status the HTTP status, or 0 if no response arrived
   * @param outcome how the last attempt ended
   */
  default void onCallComplete(String service, String subset, String method, int status, CallOutcome outcome,
      long durationNanos) {}

  /** A rate limit refused a call before any I/O. */
  default void onRateLimited(String service, String limiter) {}

  /** The concurrency cap refused a call before any I/O. */
  default void onConcurrencyLimited(String service) {}

  /** An attempt was sent again, once more, to {@code service}. */
  default void onRetry(String service, String reason) {}

  /** A hedged copy of a request of {@code route} was sent to another instance (the first had not answered). */
  default void onHedge(String service, String route) {}

  /** A retry was wanted but the retry budget had none left. */
  default void onRetryBudgetExhausted(String service) {}

  /** The circuit breaker refused an attempt before any I/O. */
  default void onBreakerRejected(String service) {}

  /** Outlier detection took an instance out of balancing for {@code nanos}. */
  default void onEjected(String service, String instanceId, long nanos) {}

  /** An ejected instance is balanced again. */
  default void onReturned(String service, String instanceId) {}

  /** An instance from discovery was dropped: its address is outside the service's allow-list. */
  default void onInstanceRejected(String service, String instanceId, String reason) {}

  /**
   * A request of {@code route} was sampled for mirroring; {@code result} is {@code sent} (the copy got a
   * response), {@code failed} (the copy failed), {@code dropped} (the mirror cap was full or the target
   * had no instance) or {@code skipped} (its body could not be sent twice).
   */
  default void onMirror(String service, String route, String result) {}

  /** A fault was injected: {@code kind} is {@code delay} or {@code abort}. */
  default void onFaultInjected(String service, String route, String kind) {}

  /**
   * A reconfiguration removed {@code service}: what a listener keeps per service (meters) can be dropped. Calls
   * to it still in flight may report events afterwards.
   */
  default void onServiceRemoved(String service) {}

  /**
   * A new configuration was swapped in ({@code applied}) or refused, the old one staying in force: by
   * {@link Mesh#reconfigure}, by the watch of a configuration file (which also reports a file it could
   * not parse) or by the Spring starter's refresh.
   */
  default void onReconfigure(boolean applied) {}
}
