package io.meshclient.core.config;

import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** Reads the resilience blocks (circuit-breaker, retry, outlier-detection, fault) of a raw tree. */
final class ResilienceReader {
  private ResilienceReader() {}

  static BreakerConfig breaker(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.BREAKER); // first: it also reads relaxed spellings, such as Enabled
    boolean enabled = node.enabled();
    BreakerConfig d = BreakerConfig.DEFAULT;
    BreakerConfig breaker = new BreakerConfig(
        node.integer(MeshKeys.FAILURE_RATE, d.failureRateThreshold()),
        node.integer(MeshKeys.SLOW_RATE, d.slowCallRateThreshold()),
        node.duration(MeshKeys.SLOW_DURATION, d.slowCallDuration()),
        node.integer(MeshKeys.SLIDING_WINDOW, d.slidingWindow()),
        node.integer(MeshKeys.MINIMUM_CALLS, d.minimumCalls()),
        node.duration(MeshKeys.OPEN_FOR, d.openFor()),
        node.integer(MeshKeys.HALF_OPEN, d.halfOpenProbes()));
    if (enabled) {
      return breaker;
    }
    node.offBlockValidator().breaker(node.key(), breaker);
    return null;
  }

  /** Reads a retry block over {@code base}; {@code route} allows {@code non-idempotent}. */
  static RetryConfig retry(ConfigNode node, RetryConfig base, boolean route) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.RETRY);
    if (!route && node.has("non-idempotent")) {
      node.report(node.key("non-idempotent"), node.string("non-idempotent"),
          "set on a route (mesh.services.<service>.routes[i].retry), never for a whole service");
    }
    if (route && node.has("budget")) {
      // One budget per service caps the retries and hedges of all its routes together.
      node.report(node.key("budget"), String.valueOf(node.raw("budget")),
          "set for the whole service (mesh.services.<service>.retry.budget): one budget caps the retries and "
              + "hedges of all its routes");
    }
    RetryConfig r = base.withAttempts(node.integer(MeshKeys.ATTEMPTS, base.attempts()))
        .withPerTryTimeout(or(node.duration(MeshKeys.PER_TRY_TIMEOUT), base.perTryTimeout()))
        .withDeadline(or(node.duration(MeshKeys.DEADLINE), base.deadline()));
    if (node.has("on")) {
      Set<RetryConfig.Condition> conditions = new LinkedHashSet<>();
      Set<Integer> statuses = new LinkedHashSet<>();
      boolean misspelt = false;
      for (String item : node.strings("on")) {
        String value = item.trim().toLowerCase(Locale.ROOT);
        RetryConfig.Condition condition = condition(value);
        if (condition != null) {
          conditions.add(condition);
        } else if (value.matches("[1-5][0-9][0-9]")) {
          statuses.add(Integer.parseInt(value));
        } else {
          node.report(node.key("on"), item, "connect-failure, reset, timeout or an HTTP status such as 503");
          misspelt = true;
        }
      }
      if (!misspelt) { // else the words left over would be refused again, as an "on: []" no one wrote
        r = r.withOn(conditions, statuses);
      }
    }
    ConfigNode backoff = node.child("backoff");
    if (backoff != null) {
      backoff.allowOnly(MeshKeys.BACKOFF);
      r = r.withBackoff(backoff.duration(MeshKeys.BACKOFF_BASE, r.backoffBase()),
          backoff.duration(MeshKeys.BACKOFF_MAX, r.backoffMax()));
    }
    Object budget = node.raw("budget");
    if (budget instanceof java.util.Map) {
      ConfigNode b = node.child("budget");
      b.allowOnly(MeshKeys.BUDGET);
      r = r.withBudget(b.integer(MeshKeys.BUDGET_PERCENT, r.budgetPercent()),
          b.integer(MeshKeys.BUDGET_MIN, r.budgetMinPerSecond()));
    } else if (budget != null) {
      r = r.withBudget(node.integer(MeshKeys.BUDGET, r.budgetPercent()), r.budgetMinPerSecond());
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
    node.allowOnly(MeshKeys.OUTLIER); // first: it also reads relaxed spellings, such as Enabled
    boolean enabled = node.enabled();
    OutlierConfig d = OutlierConfig.DEFAULT;
    OutlierConfig outlier = new OutlierConfig(
        node.integer(MeshKeys.CONSECUTIVE, d.consecutiveFailures()),
        node.duration(MeshKeys.BASE_EJECTION, d.baseEjection()),
        node.duration(MeshKeys.MAX_EJECTION, d.maxEjection()),
        node.integer(MeshKeys.MAX_EJECTED, d.maxEjectedPercent()),
        node.integer(MeshKeys.PANIC, d.panicThresholdPercent()),
        node.integer(MeshKeys.CONSECUTIVE_GATEWAY, d.consecutiveGatewayErrors()),
        slowEjection(node.child(MeshKeys.SLOW_EJECTION.name())),
        node.duration(MeshKeys.RATE_INTERVAL, d.interval()),
        failurePercentage(node.child(MeshKeys.FAILURE_PERCENTAGE.name())),
        successRate(node.child(MeshKeys.SUCCESS_RATE.name())));
    if (enabled) {
      return outlier;
    }
    node.offBlockValidator().outlier(node.key(), outlier);
    return ServiceConfig.OUTLIER_DETECTION_OFF;
  }

  private static OutlierConfig.FailurePercentage failurePercentage(ConfigNode node) {
    OutlierConfig.FailurePercentage off = OutlierConfig.FailurePercentage.OFF;
    if (node == null) {
      return off;
    }
    node.allowOnly(MeshKeys.FAILURE_PERCENTAGE);
    return new OutlierConfig.FailurePercentage(node.integer(MeshKeys.FAILURE_THRESHOLD, off.threshold()),
        node.integer(MeshKeys.FAILURE_MIN_REQUESTS, off.minRequests()),
        node.integer(MeshKeys.FAILURE_MIN_INSTANCES, off.minInstances()));
  }

  private static OutlierConfig.SuccessRate successRate(ConfigNode node) {
    OutlierConfig.SuccessRate off = OutlierConfig.SuccessRate.OFF;
    if (node == null) {
      return off;
    }
    node.allowOnly(MeshKeys.SUCCESS_RATE);
    return new OutlierConfig.SuccessRate(node.decimal(MeshKeys.STDEV_FACTOR, off.stdevFactor()),
        node.integer(MeshKeys.SUCCESS_MIN_REQUESTS, off.minRequests()),
        node.integer(MeshKeys.SUCCESS_MIN_INSTANCES, off.minInstances()));
  }

  private static OutlierConfig.SlowEjection slowEjection(ConfigNode node) {
    OutlierConfig.SlowEjection off = OutlierConfig.SlowEjection.OFF;
    if (node == null) {
      return off;
    }
    node.allowOnly(MeshKeys.SLOW_EJECTION);
    return new OutlierConfig.SlowEjection(node.integer(MeshKeys.SLOW_FACTOR, off.factor()),
        node.duration(MeshKeys.SLOW_INTERVAL, off.interval()), node.integer(MeshKeys.SLOW_MIN_REQUESTS,
        off.minRequests()), node.integer(MeshKeys.SLOW_MIN_INSTANCES, off.minInstances()));
  }

  static FaultConfig fault(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.FAULT);
    double delayPercent = 0;
    Duration delay = null;
    ConfigNode delayNode = node.child("delay");
    if (delayNode != null) {
      delayNode.allowOnly(MeshKeys.FAULT.child("delay"));
      delayPercent = decimalPercent(delayNode, "percent");
      delay = delayNode.duration(MeshKeys.DELAY_DURATION);
      if (delay == null && !delayNode.has("duration")) {
        delayNode.report(delayNode.key("duration"), "missing", "a duration such as 100ms");
      }
    }
    double abortPercent = 0;
    int status = 0;
    ConfigNode abortNode = node.child("abort");
    if (abortNode != null) {
      abortNode.allowOnly(MeshKeys.FAULT.child("abort"));
      abortPercent = decimalPercent(abortNode, "percent");
      Integer s = abortNode.integer(MeshKeys.ABORT_STATUS);
      if (s == null && !abortNode.has("status")) {
        abortNode.report(abortNode.key("status"), "missing", "an HTTP status such as 503");
      }
      status = s == null ? 200 : s; // refused or missing: reported once
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

  private static double decimalPercent(ConfigNode node, String child) {
    String raw = node.string(child);
    if (raw == null) {
      node.report(node.key(child), "missing", "a percentage such as 10 or 0.5%");
      return 0;
    }
    String text = raw.trim().endsWith("%") ? raw.trim().substring(0, raw.trim().length() - 1) : raw.trim();
    Double percent = SettingValues.decimalNumber(text);
    if (percent == null) {
      node.report(node.key(child), raw, "a percentage such as 10 or 0.5%");
      return 0;
    }
    return percent;
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
