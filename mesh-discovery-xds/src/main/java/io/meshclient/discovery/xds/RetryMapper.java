package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.meshclient.api.spi.Setting;
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

  private RetryMapper() {}

  static RetryConfig retry(String where, RetryPolicy p, List<String> notes) {
    Set<RetryConfig.Condition> on = EnumSet.noneOf(RetryConfig.Condition.class);
    TreeSet<Integer> statuses = new TreeSet<>();
    for (String token : p.getRetryOn().split(",")) {
      String word = token.trim();
      if (RetryConfig.addEnvoyRetryOn(word, on, statuses)) {
        continue;
      }
      switch (word) {
        case "" -> { }
        case "retriable-status-codes" -> p.getRetriableStatusCodesList().forEach(statuses::add);
        default -> notes.add(RetryConfig.ENVOY_GRPC_RETRY_ON.contains(word)
            ? where + ".retry_on: " + ServerStrings.printable(word) + " is a gRPC status condition: HTTP calls are not retried on it "
                + "(as in Envoy)"
            : where + ".retry_on: " + ServerStrings.printable(word) + " is not implemented");
      }
    }
    Set<Integer> notFailures = new TreeSet<>(statuses.headSet(300));
    if (!notFailures.isEmpty()) {
      statuses.removeAll(notFailures);
      notes.add(where + ".retriable_status_codes: " + notFailures + " ignored (expected: failure statuses 300..599; "
          + "a 1xx response is never final and a 2xx is a success)");
    }
    int retries = p.hasNumRetries() ? p.getNumRetries().getValue() : 1;
    if (retries < 0 || retries > 10) { // a uint32: above 2^31 it reads negative
      throw new XdsInvalidException(where, "num_retries", Integer.toUnsignedString(retries), "0..10");
    }
    Duration base = Duration.ofMillis(25);
    Duration max = null;
    if (p.hasRetryBackOff()) {
      if (p.getRetryBackOff().hasBaseInterval()) {
        base = Protos.duration(where, "retry_back_off.base_interval", p.getRetryBackOff().getBaseInterval(),
            Duration.ofNanos(1), Setting.MAX_DURATION);
      }
      if (p.getRetryBackOff().hasMaxInterval()) {
        max = Protos.duration(where, "retry_back_off.max_interval", p.getRetryBackOff().getMaxInterval(),
            Duration.ZERO, Setting.MAX_DURATION);
      }
    }
    max = max == null ? base.multipliedBy(10) : max;
    if (max.compareTo(base) < 0) {
      throw new XdsInvalidException(where, "retry_back_off.max_interval", max, ">= base_interval");
    }
    if (on.isEmpty() && statuses.isEmpty()) { // only conditions noted as not implemented: nothing is retried
      return RetryConfig.NONE;
    }
    RetryConfig r = RetryConfig.DEFAULT.withAttempts(retries + 1).withOn(on, statuses).withBackoff(base, max);
    Duration perTry = p.hasPerTryTimeout() ? Protos.duration(where, "per_try_timeout", p.getPerTryTimeout()) : null;
    if (perTry != null && !perTry.isZero() && perTry.compareTo(Setting.MAX_DURATION) <= 0) { // 0 or beyond: none
      r = r.withPerTryTimeout(perTry);
    }
    return r;
  }
}
