package io.meshclient.discovery.consul;

import java.time.Duration;

/**
 * Receives what the watches of a Consul discovery do, for metrics and diagnostics: the figures behind
 * watch latency, the age of the last successful update, errors and instance counts per service. {@link
 * ConsulDiscoveryMetrics} turns them into Micrometer meters; implement it yourself to feed another
 * system.
 *
 * <p>Methods are called on watch threads, for one service never concurrently. Implementations are
 * thread-safe, return quickly and do not throw. No argument ever carries the ACL token.
 */
public interface ConsulWatchListener {

  /** A listener that ignores everything. */
  ConsulWatchListener NONE = new ConsulWatchListener() {};

  /** A watch of {@code service} started. */
  default void onWatchStarted(String service) {}

  /**
   * Consul answered a query about {@code service}. The latency includes the time Consul held the
   * blocking query, up to {@code wait}.
   *
   * @param instanceCount how many passing instances the answer holds, possibly 0
   */
  default void onResponse(String service, Duration latency, int instanceCount) {}

  /** A query about {@code service} failed; the watch keeps its last known instances and retries. */
  default void onFailure(String service, Duration latency, Failure failure) {}

  /** The watch of {@code service} stopped. */
  default void onWatchStopped(String service) {}

  /** Why a query failed: a small fixed set, fit for a metric tag. */
  enum Failure {
    /** No connection to the agent (refused, unreachable, unknown host). */
    CONNECT,
    /** No answer within the connect or read timeout. */
    TIMEOUT,
    /** The agent answered with a status other than 200. */
    HTTP_STATUS,
    /** The answer was not a health response: unreadable JSON or no {@code X-Consul-Index}. */
    MALFORMED_RESPONSE,
    /** Another I/O failure: connection reset, TLS handshake, broken response. */
    IO
  }
}
