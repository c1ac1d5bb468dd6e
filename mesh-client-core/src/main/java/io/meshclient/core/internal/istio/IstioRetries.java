package io.meshclient.core.internal.istio;

import io.meshclient.core.config.RetryConfig;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Maps a VirtualService route's {@code retries} (Istio's HTTPRetry) onto a {@link RetryConfig}. */
final class IstioRetries {
  private IstioRetries() {}

  /** Istio's {@code retries}: {@code attempts} counts retries, so the mesh makes {@code attempts + 1}. */
  static RetryConfig retry(SpecNode retries) {
    retries.fields("attempts", "perTryTimeout", "retryOn", "retryRemoteLocalities", "retryIgnorePreviousHosts",
        "backoff");
    retries.unsupported("retryRemoteLocalities", "retries go to any instance the balancer picks; localities are "
        + "not distinguished");
    Integer attempts = retries.integer("attempts", 0, RetryConfig.MAX_ATTEMPTS - 1); // retries, not attempts
    if (attempts == null || attempts == 0) {
      // As Istio: attempts 0, or left out, disables retries (ConvertPolicy), and its validation refuses the fields
      // that configure retries next to it; a refused value was reported by integer().
      if (!retries.has("attempts") || attempts != null) {
        for (String field : List.of("perTryTimeout", "retryOn", "retryRemoteLocalities")) {
          if (retries.has(field) && !"".equals(retries.raw(field))) { // Istio's validation: retryOn "" is unset
            retries.loading.problem(retries.resource, retries.key("attempts"), attempts == null ? "missing" : "0",
                "at least 1 next to " + field + " (Istio: \"http retry policy configured when attempts are set to 0 "
                    + "(disabled)\"); a retries block without attempts retries nothing");
            break;
          }
        }
      }
      return RetryConfig.NONE;
    }
    RetryConfig policy = RetryConfig.DEFAULT.withAttempts(attempts + 1);
    Duration perTry = retries.duration("perTryTimeout", Duration.ofMillis(1));
    if (perTry != null) {
      policy = policy.withPerTryTimeout(perTry);
    }
    Duration backoff = retries.duration("backoff", Duration.ofMillis(1));
    if (backoff != null) {
      policy = policy.withBackoff(backoff, backoff.multipliedBy(10));
    }
    String retryOn = retries.string("retryOn");
    if (retryOn != null && !retryOn.isEmpty()) { // as pilot's ConvertPolicy: retryOn "" keeps the default list
      policy = retryOn(retries, retryOn, policy);
    } else {
      policy = policy.withOn(Set.of(RetryConfig.Condition.CONNECT_FAILURE, RetryConfig.Condition.RESET), Set.of(503));
    }
    return policy;
  }

  /** Envoy's {@code retry_on} words, and bare status codes, onto retried conditions and statuses. */
  static RetryConfig retryOn(SpecNode retries, String retryOn, RetryConfig policy) {
    Set<RetryConfig.Condition> on = new LinkedHashSet<>();
    Set<Integer> statuses = new LinkedHashSet<>();
    for (String raw : retryOn.split(",")) {
      String word = raw.trim().toLowerCase(Locale.ROOT);
      if (word.isEmpty()) {
        continue;
      }
      if (word.matches("[0-9]{3}")) {
        int code = Integer.parseInt(word);
        if (code < 100 || code > 599) {
          retries.loading.problem(retries.resource, retries.key("retryOn"), word, "an HTTP status from 100 to 599");
        }
        statuses.add(code);
        continue;
      }
      if (RetryConfig.addEnvoyRetryOn(word, on, statuses)) {
        continue;
      }
      switch (word) {
        case "retriable-status-codes" -> {
          // the codes are the bare numbers of the same list
        }
        case "envoy-ratelimited", "retriable-headers", "http3-post-connect-failure", "reset-before-request" ->
            retries.loading.unsupported(retries.resource, retries.key("retryOn") + "." + word,
                "this retry condition is not implemented; the others of the list apply");
        default -> {
          if (!RetryConfig.ENVOY_GRPC_RETRY_ON.contains(word)) {
            retries.loading.problem(retries.resource, retries.key("retryOn"), word, "Envoy retry conditions "
                + "(5xx, gateway-error, reset, connect-failure, refused-stream, retriable-4xx, "
                + "retriable-status-codes, gRPC statuses) or HTTP status codes, separated by commas");
          }
        }
      }
    }
    // Only gRPC words, or retriable-status-codes without a code: Envoy retries no HTTP response on them either
    return on.isEmpty() && statuses.isEmpty() ? RetryConfig.NONE : policy.withOn(on, statuses);
  }
}
