package io.meshclient.core.config;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** Reads the resilience blocks (circuit-breaker, retry, outlier-detection, fault) of a raw tree. */
final class ResilienceReader {
  static final Set<String> BREAKER_KEYS = Set.of("enabled", "failure-rate-threshold", "slow-call-rate-threshold",
      "slow-call-duration", "sliding-window", "minimum-calls", "open-for", "half-open-probes");
  static final Set<String> RETRY_KEYS = Set.of("attempts", "per-try-timeout", "deadline", "on", "backoff", "budget",
      "non-idempotent");
  static final Set<String> BACKOFF_KEYS = Set.of("base", "max");
  static final Set<String> BUDGET_KEYS = Set.of("percent", "min-per-second");
  static final Set<String> OUTLIER_KEYS = Set.of("enabled", "consecutive-failures", "base-ejection", "max-ejection",
      "max-ejected", "panic-threshold");
  static final Set<String> FAULT_KEYS = Set.of("delay", "abort", "header");
  static final Set<String> DELAY_KEYS = Set.of("percent", "duration");
  static final Set<String> ABORT_KEYS = Set.of("percent", "status");

  private ResilienceReader() {}

  static BreakerConfig breaker(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(BREAKER_KEYS); // first: it also reads relaxed spellings, such as Enabled
    if (!enabled(node)) {
      return null;
    }
    BreakerConfig d = BreakerConfig.DEFAULT;
    return new BreakerConfig(
        percent(node, "failure-rate-threshold", d.failureRateThreshold()),
        percent(node, "slow-call-rate-threshold", d.slowCallRateThreshold()),
        or(node.duration("slow-call-duration"), d.slowCallDuration()),
        or(node.integer("sliding-window"), d.slidingWindow()),
        or(node.integer("minimum-calls"), d.minimumCalls()),
        or(node.duration("open-for"), d.openFor()),
        or(node.integer("half-open-probes"), d.halfOpenProbes()));
  }

  /** Reads a retry block over {@code base}; {@code route} allows {@code non-idempotent}. */
  static RetryConfig retry(ConfigNode node, RetryConfig base, boolean route) {
    if (node == null) {
      return null;
    }
    node.allowOnly(RETRY_KEYS);
    if (!route && node.has("non-idempotent")) {
      node.report(node.key("non-idempotent"), node.string("non-idempotent"),
          "set on a route (mesh.services.<service>.routes[i].retry), never for a whole service");
    }
    RetryConfig r = base.withAttempts(or(node.integer("attempts"), base.attempts()))
        .withPerTryTimeout(or(node.duration("per-try-timeout"), base.perTryTimeout()))
        .withDeadline(or(node.duration("deadline"), base.deadline()));
    if (node.has("on")) {
      Set<RetryConfig.Condition> conditions = new LinkedHashSet<>();
      Set<Integer> statuses = new LinkedHashSet<>();
      for (String item : node.strings("on")) {
        String value = item.trim().toLowerCase(Locale.ROOT);
        RetryConfig.Condition condition = condition(value);
        if (condition != null) {
          conditions.add(condition);
        } else if (value.matches("[1-5][0-9][0-9]")) {
          statuses.add(Integer.parseInt(value));
        } else {
          node.report(node.key("on"), item, "connect-failure, reset, timeout or an HTTP status such as 503");
        }
      }
      r = r.withOn(conditions, statuses);
    }
    ConfigNode backoff = node.child("backoff");
    if (backoff != null) {
      backoff.allowOnly(BACKOFF_KEYS);
      r = r.withBackoff(or(backoff.duration("base"), r.backoffBase()), or(backoff.duration("max"), r.backoffMax()));
    }
    Object budget = node.raw("budget");
    if (budget instanceof java.util.Map) {
      ConfigNode b = node.child("budget");
      b.allowOnly(BUDGET_KEYS);
      r = r.withBudget(percent(b, "percent", r.budgetPercent()), or(b.integer("min-per-second"), r.budgetMinPerSecond()));
    } else if (budget != null) {
      r = r.withBudget(percent(node, "budget", r.budgetPercent()), r.budgetMinPerSecond());
    }
    String nonIdempotent = node.string("non-idempotent");
    if (route && nonIdempotent != null) {
      if ("true".equalsIgnoreCase(nonIdempotent)) {
        r = r.allowingNonIdempotent();
      } else if (!"false".equalsIgnoreCase(nonIdempotent)) {
        node.report(node.key("non-idempotent"), nonIdempotent, "true or false");
      }
    }
    return r;
  }

  static OutlierConfig outlier(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(OUTLIER_KEYS); // first: it also reads relaxed spellings, such as Enabled
    if (!enabled(node)) {
      return ServiceConfig.OUTLIER_DETECTION_OFF;
    }
    OutlierConfig d = OutlierConfig.DEFAULT;
    return new OutlierConfig(
        or(node.integer("consecutive-failures"), d.consecutiveFailures()),
        or(node.duration("base-ejection"), d.baseEjection()),
        or(node.duration("max-ejection"), d.maxEjection()),
        percent(node, "max-ejected", d.maxEjectedPercent()),
        percent(node, "panic-threshold", d.panicThresholdPercent()));
  }

  static FaultConfig fault(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(FAULT_KEYS);
    double delayPercent = 0;
    Duration delay = null;
    ConfigNode delayNode = node.child("delay");
    if (delayNode != null) {
      delayNode.allowOnly(DELAY_KEYS);
      delayPercent = decimalPercent(delayNode, "percent");
      delay = delayNode.duration("duration");
      if (delay == null && !delayNode.has("duration")) {
        delayNode.report(delayNode.key("duration"), "missing", "a duration such as 100ms");
      }
    }
    double abortPercent = 0;
    int status = 0;
    ConfigNode abortNode = node.child("abort");
    if (abortNode != null) {
      abortNode.allowOnly(ABORT_KEYS);
      abortPercent = decimalPercent(abortNode, "percent");
      Integer s = abortNode.integer("status");
      if (s == null && !abortNode.has("status")) {
        abortNode.report(abortNode.key("status"), "missing", "an HTTP status such as 503");
      }
      status = s == null ? 0 : s;
    }
    return new FaultConfig(delayPercent, delay, abortPercent, status, node.string("header"));
  }

  private static RetryConfig.Condition condition(String value) {
    for (RetryConfig.Condition c : RetryConfig.Condition.values()) {
      if (c.key().equals(value)) {
        return c;
      }
    }
    return null;
  }

  private static boolean enabled(ConfigNode node) {
    String enabled = node.string("enabled");
    if (enabled == null || "true".equalsIgnoreCase(enabled)) {
      return true;
    }
    if (!"false".equalsIgnoreCase(enabled)) {
      node.report(node.key("enabled"), enabled, "true or false");
    }
    return false;
  }

  /** {@code 50%} or {@code 50} as a whole percentage; out-of-range values are left to validation. */
  private static int percent(ConfigNode node, String child, int fallback) {
    String raw = node.string(child);
    if (raw == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(raw.trim().endsWith("%") ? raw.trim().substring(0, raw.trim().length() - 1).trim()
          : raw.trim());
    } catch (NumberFormatException e) {
      node.report(node.key(child), raw, "a whole percentage such as 50%");
      return fallback;
    }
  }

  private static double decimalPercent(ConfigNode node, String child) {
    String raw = node.string(child);
    if (raw == null) {
      node.report(node.key(child), "missing", "a percentage such as 10 or 0.5%");
      return 0;
    }
    String text = raw.trim().endsWith("%") ? raw.trim().substring(0, raw.trim().length() - 1) : raw.trim();
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      node.report(node.key(child), raw, "a percentage such as 10 or 0.5%");
      return 0;
    }
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
