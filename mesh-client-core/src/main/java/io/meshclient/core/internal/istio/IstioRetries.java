package io.meshclient.core.internal.istio;

import io.meshclient.core.config.RetryConfig;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
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

  /**
   * The words Istio's validation takes in {@code retryOn} (agent.supportedRetryOnPolicies), spelled exactly: it
   * compares each part as written, so {@code 5XX} or {@code " reset"} is refused there.
   */
  private static final Set<String> ISTIO_RETRY_ON = Set.of("5xx", "gateway-error", "reset", "reset-before-request",
      "connect-failure", "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
      "envoy-ratelimited", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
      "resource-exhausted", "unavailable");

  /** The codes Go's {@code http.StatusText} names: the only numbers Istio's validation takes in retryOn. */
  private static final Set<Integer> GO_STATUS_CODES = goStatusCodes();

  /**
   * Envoy's {@code retry_on} words, and bare status codes, onto retried conditions and statuses. Checked as Istio's
   * ValidateHTTPRetry checks them: the list is split on each comma, and each part, as written (no space, no upper
   * case, not empty), must be a word of {@link #ISTIO_RETRY_ON} or a status code Go names.
   */
  static RetryConfig retryOn(SpecNode retries, String retryOn, RetryConfig policy) {
    Set<RetryConfig.Condition> on = new LinkedHashSet<>();
    Set<Integer> statuses = new LinkedHashSet<>();
    for (String word : retryOn.split(",", -1)) { // -1: a trailing comma leaves an empty part, as Go's Split does
      Integer code = statusCode(word);
      if (code != null) {
        statuses.add(code);
        continue;
      }
      if (!ISTIO_RETRY_ON.contains(word)) {
        retries.loading.problem(retries.resource, retries.key("retryOn"), "\"" + retryOn + "\"", "Envoy retry "
            + "conditions (5xx, gateway-error, reset, connect-failure, refused-stream, retriable-4xx, "
            + "retriable-status-codes, gRPC statuses) or HTTP status codes, in lower case, separated by commas "
            + "without spaces (Istio: \"" + word + "\" is not a valid retryOn policy)");
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
          // a gRPC status: Envoy retries no HTTP response on it
        }
      }
    }
    // Only gRPC words, or retriable-status-codes without a code: Envoy retries no HTTP response on them either
    return on.isEmpty() && statuses.isEmpty() ? RetryConfig.NONE : policy.withOn(on, statuses);
  }

  /** The status {@code word} is as Go's {@code strconv.Atoi} reads it ("+503", "0503" too), if Go names it. */
  private static Integer statusCode(String word) {
    if (!word.matches("[+-]?[0-9]{1,9}")) {
      return null;
    }
    int code = Integer.parseInt(word);
    return GO_STATUS_CODES.contains(code) ? code : null;
  }

  private static Set<Integer> goStatusCodes() {
    Set<Integer> codes = new java.util.HashSet<>(List.of(100, 101, 102, 103, 226, 300, 301, 302, 303, 304, 305, 307,
        308, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 510, 511));
    for (int c = 200; c <= 208; c++) {
      codes.add(c);
    }
    for (int c = 400; c <= 417; c++) {
      codes.add(c);
    }
    for (int c = 500; c <= 508; c++) {
      codes.add(c);
    }
    return Set.copyOf(codes);
  }
}
