package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.meshclient.core.config.RetryConfig;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps Envoy's retry_policy onto the mesh's retry settings. As Envoy's router does for an HTTP call, the
 * retry_on conditions on gRPC status codes (cancelled, deadline-exceeded, internal, resource-exhausted,
 * unavailable) retry nothing; retriable_status_codes that are not failures (1xx, 2xx) are ignored. Both are
 * noted, so that the policy is applied rather than its route configuration refused.
 */
final class RetryMapper {
  private static final Set<String> GRPC_CONDITIONS =
      Set.of("cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");
  /** What Envoy's router treats as a reset: a refused or failed connection, a broken one, a per-try timeout. */
  private static final Set<RetryConfig.Condition> EVERY_RESET = EnumSet.allOf(RetryConfig.Condition.class);

  private RetryMapper() {}

  static RetryConfig retry(String where, RetryPolicy p, List<String> notes) {
    Set<RetryConfig.Condition> on = EnumSet.noneOf(RetryConfig.Condition.class);
    TreeSet<Integer> statuses = new TreeSet<>();
    for (String token : p.getRetryOn().split(",")) {
      switch (token.trim()) {
        case "" -> { }
        // Envoy's router retries every reset (a failed connection and a per-try timeout are resets there) on
        // reset, 5xx and gateway-error alike: "we count an upstream reset as a 5xx (since it will result in one)"
        case "5xx" -> {
          for (int s = 500; s < 600; s++) {
            statuses.add(s);
          }
          on.addAll(EVERY_RESET);
        }
        case "gateway-error" -> {
          statuses.addAll(List.of(502, 503, 504));
          on.addAll(EVERY_RESET);
        }
        case "reset" -> on.addAll(EVERY_RESET);
        case "refused-stream" -> on.add(RetryConfig.Condition.RESET);
        case "connect-failure" -> on.add(RetryConfig.Condition.CONNECT_FAILURE);
        case "retriable-4xx" -> statuses.add(409); // Envoy's only retriable 4xx
        case "retriable-status-codes" -> p.getRetriableStatusCodesList().forEach(statuses::add);
        default -> notes.add(GRPC_CONDITIONS.contains(token.trim())
            ? where + ".retry_on: " + token.trim() + " is a gRPC status condition: HTTP calls are not retried on it "
                + "(as in Envoy)"
            : where + ".retry_on: " + token.trim() + " is not implemented");
      }
    }
    Set<Integer> notFailures = new TreeSet<>(statuses.headSet(300));
    if (!notFailures.isEmpty()) {
      statuses.removeAll(notFailures);
      notes.add(where + ".retriable_status_codes: " + notFailures + " ignored (expected: failure statuses 300..599; "
          + "a 1xx response is never final and a 2xx is a success)");
    }
    int retries = p.hasNumRetries() ? p.getNumRetries().getValue() : 1;
    if (retries > 10) {
      throw new XdsInvalidException(where, "num_retries", retries, "0..10");
    }
    Duration base = Duration.ofMillis(25);
    Duration max = null;
    if (p.hasRetryBackOff()) {
      if (p.getRetryBackOff().hasBaseInterval()) {
        base = Protos.duration(p.getRetryBackOff().getBaseInterval());
      }
      if (p.getRetryBackOff().hasMaxInterval()) {
        max = Protos.duration(p.getRetryBackOff().getMaxInterval());
      }
    }
    if (base.isZero() || base.isNegative()) {
      throw new XdsInvalidException(where, "retry_back_off.base_interval", base, "> 0");
    }
    max = max == null ? base.multipliedBy(10) : max;
    if (max.compareTo(base) < 0) {
      throw new XdsInvalidException(where, "retry_back_off.max_interval", max, ">= base_interval");
    }
    if (on.isEmpty() && statuses.isEmpty()) { // only conditions noted as not implemented: nothing is retried
      return RetryConfig.NONE;
    }
    RetryConfig r = RetryConfig.DEFAULT.withAttempts(retries + 1).withOn(on, statuses).withBackoff(base, max);
    if (p.hasPerTryTimeout() && Protos.duration(p.getPerTryTimeout()).toNanos() > 0) {
      r = r.withPerTryTimeout(Protos.duration(p.getPerTryTimeout()));
    }
    return r;
  }
}
