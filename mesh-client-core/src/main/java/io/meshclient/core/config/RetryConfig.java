package io.meshclient.core.config;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * When and how a failed attempt is sent again, to another instance when there is one.
 *
 * <p>Whatever the settings, an attempt that failed to connect may always be retried (nothing reached a
 * server); an attempt whose request may have reached a server (a reset, a timeout, a retriable status)
 * is retried only for idempotent methods, unless {@code nonIdempotent} is set (a route's opt-in).
 *
 * @param attempts total attempts including the first, at least 1 (1 disables retries)
 * @param perTryTimeout the longest an attempt waits for response bytes, or null for the call timeout
 * @param deadline the longest a call may take over all attempts and backoff, reading the response body
 *     included (a read of the body past it fails with a {@link java.net.SocketTimeoutException}), or null for none
 * @param on which failures are retried
 * @param statuses which response statuses are retried (as with 503)
 * @param backoffBase first backoff; attempt n waits a random time in [0, min(max, base * 2^(n-1))]
 * @param backoffMax cap of the backoff
 * @param budgetPercent retries allowed as a percentage of recent requests (over 10 s), 0..1000
 * @param budgetMinPerSecond retries always allowed per second, on top of the percentage
 * @param nonIdempotent whether requests that may have reached a server are retried even when their method
 *     is not idempotent (POST, PATCH)
 */
public record RetryConfig(
    int attempts,
    Duration perTryTimeout,
    Duration deadline,
    Set<Condition> on,
    Set<Integer> statuses,
    Duration backoffBase,
    Duration backoffMax,
    int budgetPercent,
    int budgetMinPerSecond,
    boolean nonIdempotent) {

  /** Failures that can be retried. */
  public enum Condition {
    /** No connection could be made; always safe to retry. */
    CONNECT_FAILURE("connect-failure"),
    /** The connection broke before a response arrived. */
    RESET("reset"),
    /** The attempt ran past its per-try timeout. */
    TIMEOUT("timeout");

    private final String key;

    Condition(String key) {
      this.key = key;
    }

    /** The configuration name. */
    public String key() {
      return key;
    }
  }

  /**
   * 2 attempts on connect failures, resets and 502/503/504, backoff 25ms..250ms, budget 20% + 10/s
   * (Finagle's and Linkerd's), idempotent methods only.
   */
  public static final RetryConfig DEFAULT = new RetryConfig(MeshKeys.ATTEMPTS.defaultInt(), null, null,
      Set.of(Condition.CONNECT_FAILURE, Condition.RESET), Set.of(502, 503, 504), MeshKeys.BACKOFF_BASE.defaultDuration(),
      MeshKeys.BACKOFF_MAX.defaultDuration(), MeshKeys.BUDGET.defaultInt(), MeshKeys.BUDGET_MIN.defaultInt(), false);

  /** The most attempts a retry policy may make, the first included ({@code attempts}' upper bound). */
  public static final int MAX_ATTEMPTS = (int) MeshKeys.ATTEMPTS.max();

  /** No retries at all. */
  public static final RetryConfig NONE = new RetryConfig(1, null, null, Set.of(), Set.of(), Duration.ZERO,
      Duration.ZERO, 0, 0, false);

  public RetryConfig {
    on = Set.copyOf(Objects.requireNonNull(on, "on"));
    statuses = Set.copyOf(Objects.requireNonNull(statuses, "statuses"));
    Objects.requireNonNull(backoffBase, "backoffBase");
    Objects.requireNonNull(backoffMax, "backoffMax");
  }

  public RetryConfig withAttempts(int n) {
    return new RetryConfig(n, perTryTimeout, deadline, on, statuses, backoffBase, backoffMax, budgetPercent,
        budgetMinPerSecond, nonIdempotent);
  }

  public RetryConfig withPerTryTimeout(Duration timeout) {
    return new RetryConfig(attempts, timeout, deadline, on, statuses, backoffBase, backoffMax, budgetPercent,
        budgetMinPerSecond, nonIdempotent);
  }

  public RetryConfig withDeadline(Duration d) {
    return new RetryConfig(attempts, perTryTimeout, d, on, statuses, backoffBase, backoffMax, budgetPercent,
        budgetMinPerSecond, nonIdempotent);
  }

  public RetryConfig withOn(Set<Condition> conditions, Set<Integer> retriedStatuses) {
    return new RetryConfig(attempts, perTryTimeout, deadline, conditions, retriedStatuses, backoffBase, backoffMax,
        budgetPercent, budgetMinPerSecond, nonIdempotent);
  }

  public RetryConfig withBackoff(Duration base, Duration max) {
    return new RetryConfig(attempts, perTryTimeout, deadline, on, statuses, base, max, budgetPercent,
        budgetMinPerSecond, nonIdempotent);
  }

  public RetryConfig withBudget(int percent, int minPerSecond) {
    return new RetryConfig(attempts, perTryTimeout, deadline, on, statuses, backoffBase, backoffMax, percent,
        minPerSecond, nonIdempotent);
  }

  /**
   * Envoy's {@code retry_on} words for gRPC statuses. Envoy's router retries no HTTP response on them, and
   * neither do the Istio and xDS mappings.
   */
  public static final Set<String> ENVOY_GRPC_RETRY_ON =
      Set.of("cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");

  /**
   * Adds to {@code on} and {@code statuses} what Envoy's router retries for one of its {@code retry_on} words,
   * the vocabulary that Istio's {@code retryOn} and xDS's {@code retry_policy} share: {@code 5xx}, {@code
   * gateway-error}, {@code reset}, {@code connect-failure}, {@code refused-stream}, {@code retriable-4xx}. For any
   * other word, {@code retriable-status-codes} and the gRPC words included, it adds nothing and returns false.
   * Envoy's router counts a refused or failed connection and a per-try timeout as a reset, and retries every
   * reset on {@code reset}, {@code 5xx} and {@code gateway-error} alike ("we count an upstream reset as a 5xx
   * (since it will result in one)"); its only retriable 4xx is 409.
   */
  public static boolean addEnvoyRetryOn(String word, Set<Condition> on, Set<Integer> statuses) {
    switch (word) {
      case "5xx" -> {
        on.addAll(EnumSet.allOf(Condition.class));
        for (int s = 500; s <= 599; s++) {
          statuses.add(s);
        }
      }
      case "gateway-error" -> {
        on.addAll(EnumSet.allOf(Condition.class));
        statuses.addAll(List.of(502, 503, 504));
      }
      case "reset" -> on.addAll(EnumSet.allOf(Condition.class));
      case "connect-failure" -> on.add(Condition.CONNECT_FAILURE);
      case "refused-stream" -> on.add(Condition.RESET);
      case "retriable-4xx" -> statuses.add(409);
      default -> {
        return false;
      }
    }
    return true;
  }

  /** A copy that retries non-idempotent requests too (a route's explicit opt-in). */
  public RetryConfig allowingNonIdempotent() {
    return new RetryConfig(attempts, perTryTimeout, deadline, on, statuses, backoffBase, backoffMax, budgetPercent,
        budgetMinPerSecond, true);
  }
}
