package io.meshclient.core.config;

import static io.meshclient.core.config.SecretKeys.problem;

import io.meshclient.api.spi.Setting;
import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The rules of the resilience blocks, each problem naming its full key; ranges are the declared ones. */
final class ResilienceValidator {
  private final List<String> problems;

  ResilienceValidator(List<String> problems) {
    this.problems = problems;
  }

  void breaker(String key, BreakerConfig b) {
    check(key, MeshKeys.FAILURE_RATE, b.failureRateThreshold());
    check(key, MeshKeys.SLOW_RATE, b.slowCallRateThreshold());
    check(key, MeshKeys.SLOW_DURATION, b.slowCallDuration());
    check(key, MeshKeys.SLIDING_WINDOW, b.slidingWindow());
    check(key, MeshKeys.MINIMUM_CALLS, b.minimumCalls());
    check(key, MeshKeys.OPEN_FOR, b.openFor());
    check(key, MeshKeys.HALF_OPEN, b.halfOpenProbes());
  }

  /**
   * A hedge: its delay (fixed, shorter than {@code attemptTimeout}, as an attempt that has timed out is never
   * hedged; or a percentile), fallback, extra copies and samples.
   */
  void hedge(String key, HedgeConfig h, Duration attemptTimeout) {
    if (h.after() != null) {
      if (check(key, MeshKeys.HEDGE_DELAY, h.after()) && h.after().compareTo(attemptTimeout) >= 0) {
        problems.add(problem(key + ".after", SettingValues.formatDuration(h.after()), "less than the attempt's "
            + "timeout (" + SettingValues.formatDuration(attemptTimeout) + "): a hedge is sent only while an attempt waits"));
      }
    } else if (!(h.percentile() >= 50 && h.percentile() <= 99.9)) {
      problems.add(problem(key + ".after", h.afterText(), "a percentile from p50 to p99.9, such as p95"));
    }
    check(key, MeshKeys.HEDGE_FALLBACK, h.fallback());
    check(key, MeshKeys.HEDGE_MAX_EXTRA, h.maxExtra());
    check(key, MeshKeys.HEDGE_MIN_SAMPLES, h.minSamples());
  }

  void rateLimit(String key, RateLimitConfig limit) {
    if (limit.permits() <= 0 || limit.per().isNegative() || limit.per().isZero()) {
      problems.add(problem(key + ".rate", limit.rateText(), "> 0, such as 200/s"));
    } else if (limit.permits() > MeshKeys.MAX_PERMITS || limit.per().compareTo(MeshKeys.MAX_RATE_PERIOD) > 0
        || limit.permits() > limit.per().toNanos()) {
      problems.add(problem(key + ".rate", limit.rateText(),
          "at most 1000000000 per period, a period of at most 1h, and at most one per nanosecond"));
    } else if (limit.burst() > 1
        && limit.burst() - 1L > MeshKeys.MAX_TOLERANCE_NANOS / limit.emissionIntervalNanos()) {
      problems.add(problem(key + ".burst", String.valueOf(limit.burst()), "at most "
          + (MeshKeys.MAX_TOLERANCE_NANOS / limit.emissionIntervalNanos() + 1) + " at a rate of " + limit.rateText()
          + " (a full bucket must refill within about 126 years)"));
    }
    check(key, MeshKeys.BURST, limit.burst());
    check(key, MeshKeys.MAX_WAIT, limit.maxWait());
  }

  /**
   * A route's name tags its metrics and spans and names its limiter, {@code <service>/<route name>}: a control
   * character would break a line of a log or of a metrics scrape, and two rate-limited routes of one name would
   * share one bucket (and, with different rates, each reload would replace both, refilling them).
   */
  void routeNames(String key, List<RouteConfig> routes) {
    Map<String, Integer> limited = new HashMap<>();
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig route = routes.get(i);
      String name = route.nameAt(i);
      if (TrafficShapingValidator.hasControl(name)) {
        problems.add(problem(key + "[" + i + "].name", name, "a name without control characters (CR, LF, tab...): "
            + "a route's name tags its metrics and spans"));
      }
      Integer earlier = route.rateLimit() == null ? null : limited.putIfAbsent(name, i);
      if (earlier != null) {
        problems.add(problem(key + "[" + (route.name() != null ? i : earlier) + "].name", name, "a name no other "
            + "route with a rate-limit has (routes[" + earlier + "] and routes[" + i + "] are both '" + name
            + "'): each route's limiter is named after its route"));
      }
    }
  }

  void retry(String key, RetryConfig r) {
    if (check(key, MeshKeys.ATTEMPTS, r.attempts()) && r.attempts() > 1 && r.on().isEmpty()
        && r.statuses().isEmpty()) { // more attempts that nothing would ever make
      problems.add(problem(key + ".on", "[]", "at least one of connect-failure, reset, timeout or a status such as "
          + "503 when attempts is " + r.attempts() + "; attempts: 1 turns retries off"));
    }
    r.statuses().stream().filter(s -> s < 300).sorted().forEach(s -> problems.add(problem(key + ".on", s, "a failure "
        + "status from 300 to 599: a 1xx response is never final and a 2xx is a success, which a retry would send "
        + "again and throw away")));
    if (r.perTryTimeout() != null) {
      check(key, MeshKeys.PER_TRY_TIMEOUT, r.perTryTimeout());
    }
    if (r.deadline() != null) {
      check(key, MeshKeys.DEADLINE, r.deadline());
    }
    if (check(key + ".backoff", MeshKeys.BACKOFF_BASE, r.backoffBase())
        && check(key + ".backoff", MeshKeys.BACKOFF_MAX, r.backoffMax())
        && r.backoffMax().compareTo(r.backoffBase()) < 0) {
      problems.add(problem(key + ".backoff.max", SettingValues.formatDuration(r.backoffMax()),
          ">= backoff.base (" + SettingValues.formatDuration(r.backoffBase()) + ")"));
    }
    check(key, MeshKeys.BUDGET, r.budgetPercent());
    check(key + ".budget", MeshKeys.BUDGET_MIN, r.budgetMinPerSecond());
  }

  void outlier(String key, OutlierConfig o) {
    if (o.equals(ServiceConfig.OUTLIER_DETECTION_OFF)) {
      return;
    }
    check(key, MeshKeys.CONSECUTIVE, o.consecutiveFailures());
    check(key, MeshKeys.CONSECUTIVE_GATEWAY, o.consecutiveGatewayErrors());
    if (check(key, MeshKeys.BASE_EJECTION, o.baseEjection()) && check(key, MeshKeys.MAX_EJECTION, o.maxEjection())
        && o.maxEjection().compareTo(o.baseEjection()) < 0) {
      problems.add(problem(key + ".max-ejection", SettingValues.formatDuration(o.maxEjection()),
          ">= base-ejection (" + SettingValues.formatDuration(o.baseEjection()) + ")"));
    }
    check(key, MeshKeys.MAX_EJECTED, o.maxEjectedPercent());
    check(key, MeshKeys.PANIC, o.panicThresholdPercent());
    OutlierConfig.SlowEjection slow = o.slowEjection();
    if (!slow.equals(OutlierConfig.SlowEjection.OFF)) {
      String slowKey = key + "." + MeshKeys.SLOW_EJECTION.name();
      if (check(slowKey, MeshKeys.SLOW_FACTOR, slow.factor()) && slow.factor() == 1) {
        problems.add(problem(slowKey + ".factor", 1, MeshKeys.SLOW_FACTOR.expected()));
      }
      check(slowKey, MeshKeys.SLOW_INTERVAL, slow.interval());
      check(slowKey, MeshKeys.SLOW_MIN_REQUESTS, slow.minRequests());
      check(slowKey, MeshKeys.SLOW_MIN_INSTANCES, slow.minInstances());
    }
    check(key, MeshKeys.RATE_INTERVAL, o.interval());
    OutlierConfig.FailurePercentage failures = o.failurePercentage();
    if (!failures.equals(OutlierConfig.FailurePercentage.OFF)) {
      String failuresKey = key + "." + MeshKeys.FAILURE_PERCENTAGE.name();
      check(failuresKey, MeshKeys.FAILURE_THRESHOLD, failures.threshold());
      check(failuresKey, MeshKeys.FAILURE_MIN_REQUESTS, failures.minRequests());
      check(failuresKey, MeshKeys.FAILURE_MIN_INSTANCES, failures.minInstances());
    }
    OutlierConfig.SuccessRate rates = o.successRate();
    if (!rates.equals(OutlierConfig.SuccessRate.OFF)) {
      String ratesKey = key + "." + MeshKeys.SUCCESS_RATE.name();
      MeshKeys.STDEV_FACTOR.check(ratesKey + "." + MeshKeys.STDEV_FACTOR.name(), rates.stdevFactor(), problems);
      check(ratesKey, MeshKeys.SUCCESS_MIN_REQUESTS, rates.minRequests());
      check(ratesKey, MeshKeys.SUCCESS_MIN_INSTANCES, rates.minInstances());
    }
  }

  void fault(String key, FaultConfig f) {
    if (!(f.delayPercent() >= 0 && f.delayPercent() <= 100)) { // NaN too
      problems.add(problem(key + ".delay.percent", f.delayPercent(), "0..100"));
    }
    if (f.delay() != null) { // even at 0%: a value that passes validation is one that works
      check(key + ".delay", MeshKeys.DELAY_DURATION, f.delay());
    }
    if (!(f.abortPercent() >= 0 && f.abortPercent() <= 100)) {
      problems.add(problem(key + ".abort.percent", f.abortPercent(), "0..100"));
    }
    if (f.abortPercent() > 0) {
      check(key + ".abort", MeshKeys.ABORT_STATUS, f.abortStatus());
    }
    if (f.header() != null && !SettingValues.isToken(f.header())) {
      problems.add(problem(key + ".header", f.header(), "a header name (RFC 9110 token)"));
    }
  }

  /** Checks {@code value} of {@code setting}, under the block {@code blockKey}, against its declared range. */
  boolean check(String blockKey, Setting setting, long value) {
    return setting.check(blockKey + "." + setting.name(), value, problems);
  }

  boolean check(String blockKey, Setting setting, Duration value) {
    return setting.check(blockKey + "." + setting.name(), value, problems);
  }
}
