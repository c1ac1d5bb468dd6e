package io.meshclient.discovery.kubernetes;

import java.time.Duration;

/**
 * Receives what the watches of a Kubernetes discovery do, for metrics and diagnostics. {@link
 * KubernetesDiscoveryMetrics} turns them into Micrometer meters; implement it yourself to feed another
 * system.
 *
 * <p>Methods are called on informer threads. Implementations are thread-safe, return quickly and do not
 * throw.
 */
public interface KubernetesWatchListener {

  /** A listener that ignores everything. */
  KubernetesWatchListener NONE = new KubernetesWatchListener() {};

  /** A watch of {@code service}'s EndpointSlices started. */
  default void onWatchStarted(String service) {}

  /**
   * The EndpointSlices of {@code service} were listed (first list or relist after a dropped watch or
   * {@code 410 Gone}) or changed.
   *
   * @param latency for a list, how long it took; zero for a change seen on the watch
   * @param instanceCount the instances that take traffic now, possibly 0
   */
  default void onResponse(String service, Duration latency, int instanceCount) {}

  /** Listing or watching failed for {@code service}; the last known instances stay in force. */
  default void onFailure(String service, Failure failure) {}

  /** The watch of {@code service} stopped. */
  default void onWatchStopped(String service) {}

  /** Why a list or watch failed: a small fixed set, fit for a metric tag. */
  enum Failure {
    /** No connection to the API server (refused, unreachable, unknown host). */
    CONNECT,
    /** No answer in time. */
    TIMEOUT,
    /** The API server answered with an error status, such as 403 when RBAC is missing. */
    HTTP_STATUS,
    /** The watch's resource version was too old ({@code 410 Gone}): the watch relists. */
    GONE,
    /** Another I/O failure: connection reset, dropped watch, TLS handshake. */
    IO
  }
}
