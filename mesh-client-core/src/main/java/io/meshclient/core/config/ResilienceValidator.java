package io.meshclient.core.config;

import io.meshclient.api.spi.SettingValues;
import static io.meshclient.core.config.SecretKeys.problem;

import java.time.Duration;
import java.util.List;

/** The rules of the resilience blocks, each problem naming its full key. */
final class ResilienceValidator {
  private final List<String> problems;

  ResilienceValidator(List<String> problems) {
    this.problems = problems;
  }

  void breaker(String key, BreakerConfig b) {
    range(key + ".failure-rate-threshold", b.failureRateThreshold(), 1, 100, "a percentage from 1% to 100%");
    range(key + ".slow-call-rate-threshold", b.slowCallRateThreshold(), 1, 100, "a percentage from 1% to 100%");
    positive(key + ".slow-call-duration", b.slowCallDuration());
    range(key + ".sliding-window", b.slidingWindow(), 1, 100_000, "1..100000 calls");
    range(key + ".minimum-calls", b.minimumCalls(), 1, 100_000, "1..100000 calls");
    positive(key + ".open-for", b.openFor());
    range(key + ".half-open-probes", b.halfOpenProbes(), 1, 10_000, "1..10000 calls");
  }

  void retry(String key, RetryConfig r) {
    range(key + ".attempts", r.attempts(), 1, 10, "1..10 (1 turns retries off)");
    if (r.perTryTimeout() != null) {
      positive(key + ".per-try-timeout", r.perTryTimeout());
    }
    if (r.deadline() != null) {
      positive(key + ".deadline", r.deadline());
    }
    if (r.backoffBase().isNegative()) {
      problems.add(problem(key + ".backoff.base", r.backoffBase(), ">= 0ms"));
    }
    if (r.backoffMax().compareTo(r.backoffBase()) < 0) {
      problems.add(problem(key + ".backoff.max", SettingValues.formatDuration(r.backoffMax()),
          ">= backoff.base (" + SettingValues.formatDuration(r.backoffBase()) + ")"));
    }
    range(key + ".budget", r.budgetPercent(), 0, 1000, "a percentage from 0% to 1000%");
    range(key + ".budget.min-per-second", r.budgetMinPerSecond(), 0, 1_000_000, ">= 0");
  }

  void outlier(String key, OutlierConfig o) {
    if (o.equals(ServiceConfig.OUTLIER_DETECTION_OFF)) {
      return;
    }
    range(key + ".consecutive-failures", o.consecutiveFailures(), 1, 1_000_000, ">= 1");
    positive(key + ".base-ejection", o.baseEjection());
    if (o.maxEjection().compareTo(o.baseEjection()) < 0) {
      problems.add(problem(key + ".max-ejection", SettingValues.formatDuration(o.maxEjection()),
          ">= base-ejection (" + SettingValues.formatDuration(o.baseEjection()) + ")"));
    }
    range(key + ".max-ejected", o.maxEjectedPercent(), 0, 100, "a percentage from 0% to 100%");
    range(key + ".panic-threshold", o.panicThresholdPercent(), 0, 100, "a percentage from 0% to 100%");
  }

  void fault(String key, FaultConfig f) {
    if (f.delayPercent() < 0 || f.delayPercent() > 100) {
      problems.add(problem(key + ".delay.percent", f.delayPercent(), "0..100"));
    }
    if (f.delayPercent() > 0 && f.delay() != null) {
      positive(key + ".delay.duration", f.delay());
    }
    if (f.abortPercent() < 0 || f.abortPercent() > 100) {
      problems.add(problem(key + ".abort.percent", f.abortPercent(), "0..100"));
    }
    if (f.abortPercent() > 0 && (f.abortStatus() < 200 || f.abortStatus() > 599)) {
      problems.add(problem(key + ".abort.status", f.abortStatus(), "an HTTP status from 200 to 599"));
    }
    if (f.header() != null && !f.header().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      problems.add(problem(key + ".header", f.header(), "a header name (RFC 9110 token)"));
    }
  }

  private void range(String key, int value, int min, int max, String expected) {
    if (value < min || value > max) {
      problems.add(problem(key, value, expected));
    }
  }

  private void positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      problems.add(problem(key, d.isNegative() ? d.toString() : SettingValues.formatDuration(d), "a positive duration"));
    }
  }
}
