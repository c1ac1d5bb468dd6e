package io.meshclient.core;

import io.meshclient.api.CallOutcome;
import io.meshclient.core.config.RouteConfig;

/**
 * What one call through the mesh came to, as its {@link CallListener} receives it at the end: the route
 * it took, where it went, its last attempt, and why it ended. Immutable.
 *
 * @param service the service the request's host named
 * @param route the matched route's configuration, or null when no route matched (all instances)
 * @param routeName the matched route's name, or null
 * @param destination the service the call went to: {@code service}, or another a route sent it to
 * @param subset the destination's subset, or null for all its instances
 * @param draw the split draw in {@code [0, drawBound)}, or -1 when the route has one destination
 * @param drawBound the sum of the split's weights, or 0 without a split
 * @param method the request's method
 * @param attempts how many attempts were sent (0 when refused before any), a resend that costs no retry
 *     included (after a pooled connection found dead, or an HTTP/2 stream refused unprocessed)
 * @param hedges how many hedged copies were sent besides the attempts
 * @param lastAttempt the last attempt's decision (candidates and instance chosen), or null without one
 * @param status the HTTP status the caller got, or 0 without a response
 * @param outcome how the call ended, as the mesh's meters count it
 * @param reason why the call ended
 * @param limiter the name of the rate limit that refused it, or null
 * @param durationNanos from the route match to the end
 */
public record CallRecord(String service, RouteConfig route, String routeName, String destination, String subset,
    int draw, int drawBound, String method, int attempts, int hedges, RoutingDecision lastAttempt, int status,
    CallOutcome outcome, Reason reason, String limiter, long durationNanos) {

  /** Why a call ended. */
  public enum Reason {
    /** A response arrived (any status). */
    RESPONSE,
    /** A fault injected by the route answered it without sending it. */
    FAULT_ABORT,
    /** A rate limit refused it before any I/O. */
    RATE_LIMITED,
    /** The destination's {@code max-concurrent-requests} refused it before any I/O. */
    CONCURRENCY_LIMITED,
    /** The destination's circuit breaker refused it. */
    BREAKER_OPEN,
    /** The destination had no instance to send it to (none listed, or all ejected). */
    NO_HEALTHY_INSTANCE,
    /** It was cancelled, by its caller or by the mesh closing. */
    CANCELLED,
    /** Its last attempt failed (connect failure, reset, timeout, handshake), or another refusal. */
    FAILED
  }
}
