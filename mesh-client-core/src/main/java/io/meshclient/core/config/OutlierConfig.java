package io.meshclient.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health checking (Envoy's outlier detection): an instance that fails {@code
 * consecutiveFailures} times in a row (connect failures, resets, timeouts, 5xx), or {@code
 * consecutiveGatewayErrors} times in a row with a gateway error, is taken out of balancing for {@code
 * baseEjection} times the number of times it was ejected, at most {@code maxEjection}, then comes back.
 *
 * @param consecutiveFailures failures in a row that eject; 0 counts only gateway errors
 * @param baseEjection ejection time of a first ejection
 * @param maxEjection cap of the ejection time
 * @param maxEjectedPercent never eject more than this share of the service's instances, 0..100; as in Envoy,
 *     one instance may be ejected whatever share it is, unless this is 0
 * @param panicThresholdPercent when fewer than this share of a subset's instances are healthy, balance
 *     across all of them, ejected or not (Envoy's panic mode), 0..100
 * @param consecutiveGatewayErrors gateway errors in a row that eject (Envoy's {@code
 *     consecutive_gateway_failure}): 502, 503 and 504 responses, and the failures Envoy reports as such
 *     (connect failures, resets, timeouts); any other response resets the count; 0 does not count them apart
 * @param slowEjection ejection of instances much slower than the others ({@link SlowEjection#OFF}: none)
 * @param interval how often {@code failurePercentage} and {@code successRate} judge the instances, over the
 *     calls since the last time (Envoy's {@code interval}); {@code slowEjection} has its own
 * @param failurePercentage ejection of instances that fail at least a share of their calls ({@link
 *     FailurePercentage#OFF}: none)
 * @param successRate ejection of instances whose success rate is far below their peers' ({@link
 *     SuccessRate#OFF}: none)
 */
public record OutlierConfig(
    int consecutiveFailures,
    Duration baseEjection,
    Duration maxEjection,
    int maxEjectedPercent,
    int panicThresholdPercent,
    int consecutiveGatewayErrors,
    SlowEjection slowEjection,
    Duration interval,
    FailurePercentage failurePercentage,
    SuccessRate successRate) {

  /** 5 failures in a row, 30s base, 300s cap, at most 50% ejected, panic below 50% healthy. */
  public static final OutlierConfig DEFAULT =
      new OutlierConfig(MeshKeys.CONSECUTIVE.defaultInt(), MeshKeys.BASE_EJECTION.defaultDuration(),
          MeshKeys.MAX_EJECTION.defaultDuration(), MeshKeys.MAX_EJECTED.defaultInt(), MeshKeys.PANIC.defaultInt(),
          MeshKeys.CONSECUTIVE_GATEWAY.defaultInt(), SlowEjection.OFF);

  /** The largest count of failures (or gateway errors) in a row that can be asked to eject. */
  public static final int MAX_CONSECUTIVE = (int) Math.min(MeshKeys.CONSECUTIVE.max(),
      MeshKeys.CONSECUTIVE_GATEWAY.max());

  public OutlierConfig {
    Objects.requireNonNull(baseEjection, "baseEjection");
    Objects.requireNonNull(maxEjection, "maxEjection");
    Objects.requireNonNull(slowEjection, "slowEjection");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(failurePercentage, "failurePercentage");
    Objects.requireNonNull(successRate, "successRate");
  }

  /** Detection without failure-percentage and success-rate ejection. */
  public OutlierConfig(int consecutiveFailures, Duration baseEjection, Duration maxEjection, int maxEjectedPercent,
      int panicThresholdPercent, int consecutiveGatewayErrors, SlowEjection slowEjection) {
    this(consecutiveFailures, baseEjection, maxEjection, maxEjectedPercent, panicThresholdPercent,
        consecutiveGatewayErrors, slowEjection, MeshKeys.RATE_INTERVAL.defaultDuration(), FailurePercentage.OFF,
        SuccessRate.OFF);
  }

  /** Detection of failures only (no {@link SlowEjection}). */
  public OutlierConfig(int consecutiveFailures, Duration baseEjection, Duration maxEjection, int maxEjectedPercent,
      int panicThresholdPercent, int consecutiveGatewayErrors) {
    this(consecutiveFailures, baseEjection, maxEjection, maxEjectedPercent, panicThresholdPercent,
        consecutiveGatewayErrors, SlowEjection.OFF);
  }

  /** Detection that does not count gateway errors apart. */
  public OutlierConfig(int consecutiveFailures, Duration baseEjection, Duration maxEjection, int maxEjectedPercent,
      int panicThresholdPercent) {
    this(consecutiveFailures, baseEjection, maxEjection, maxEjectedPercent, panicThresholdPercent, 0);
  }

  /** This detection, also ejecting slow instances as {@code slow} says. */
  public OutlierConfig withSlowEjection(SlowEjection slow) {
    return new OutlierConfig(consecutiveFailures, baseEjection, maxEjection, maxEjectedPercent, panicThresholdPercent,
        consecutiveGatewayErrors, slow, interval, failurePercentage, successRate);
  }

  /**
   * This detection, also judging the instances' failure percentages and success rates every {@code interval}
   * as {@code failures} and {@code rates} say.
   */
  public OutlierConfig withRateEjection(Duration every, FailurePercentage failures, SuccessRate rates) {
    return new OutlierConfig(consecutiveFailures, baseEjection, maxEjection, maxEjectedPercent, panicThresholdPercent,
        consecutiveGatewayErrors, slowEjection, every, failures, rates);
  }

  /** This detection with the slow, failure-percentage and success-rate ejection of {@code other}. */
  public OutlierConfig withIntervalEjections(OutlierConfig other) {
    return withSlowEjection(other.slowEjection).withRateEjection(other.interval, other.failurePercentage,
        other.successRate);
  }

  /** Whether failure-percentage or success-rate ejection is on. */
  public boolean judgesRates() {
    return failurePercentage.enabled() || successRate.enabled();
  }

  /**
   * Envoy's failure-percentage ejection: every {@code interval}, an instance with at least {@code minRequests}
   * calls in that interval of which at least {@code threshold} percent failed (5xx, connect failures, resets,
   * timeouts) is ejected, as a failing one is; nothing is judged while fewer than {@code minInstances}
   * instances have {@code minRequests} calls.
   *
   * @param threshold 0 (off) or 1..100
   * @param minRequests calls an instance needs in an interval to be judged, at least 1
   * @param minInstances judged instances needed to judge any, at least 1
   */
  public record FailurePercentage(int threshold, int minRequests, int minInstances) {
    /** No failure-percentage ejection. */
    public static final FailurePercentage OFF = new FailurePercentage(MeshKeys.FAILURE_THRESHOLD.defaultInt(),
        MeshKeys.FAILURE_MIN_REQUESTS.defaultInt(), MeshKeys.FAILURE_MIN_INSTANCES.defaultInt());

    /** Ejection at {@code threshold} percent failed, with the default minimums. */
    public static FailurePercentage threshold(int threshold) {
      return new FailurePercentage(threshold, OFF.minRequests, OFF.minInstances);
    }

    /** Whether instances are judged on their failure percentage at all. */
    public boolean enabled() {
      return threshold > 0;
    }
  }

  /**
   * Envoy's success-rate ejection: every {@code interval}, the success rates of the instances with at least
   * {@code minRequests} calls in that interval are compared, and one below the mean minus {@code stdevFactor}
   * standard deviations is ejected, as a failing one is; nothing is judged while fewer than {@code
   * minInstances} instances have {@code minRequests} calls.
   *
   * @param stdevFactor 0 (off) or more; Envoy's {@code success_rate_stdev_factor} / 1000 (1.9 by default there)
   * @param minRequests calls an instance needs in an interval to be judged, at least 1
   * @param minInstances judged instances needed to judge any, at least 2
   */
  public record SuccessRate(double stdevFactor, int minRequests, int minInstances) {
    /** No success-rate ejection. */
    public static final SuccessRate OFF = new SuccessRate(MeshKeys.STDEV_FACTOR.defaultDecimal(),
        MeshKeys.SUCCESS_MIN_REQUESTS.defaultInt(), MeshKeys.SUCCESS_MIN_INSTANCES.defaultInt());

    /** Ejection below the mean minus {@code stdevFactor} standard deviations, with the default minimums. */
    public static SuccessRate stdevFactor(double stdevFactor) {
      return new SuccessRate(stdevFactor, OFF.minRequests, OFF.minInstances);
    }

    /** Whether instances are judged on their success rate at all. */
    public boolean enabled() {
      return stdevFactor > 0;
    }
  }

  /**
   * Ejection of an instance much slower than its peers, which failure counts never catch (an instance that
   * answers every call, ten times slower). Every {@code interval} the mean latency of each instance's
   * responses in that interval is compared with the median of those means; an instance with at least
   * {@code minRequests} responses whose mean is more than {@code factor} times the median is ejected, as a
   * failing one is (same ejection time, same {@code maxEjectedPercent} cap). Nothing is judged while fewer
   * than {@code minInstances} instances have {@code minRequests} responses. Envoy has no such detection;
   * like its success-rate detection, it compares instances over an interval, so one stalled call does not
   * eject an instance, and an instance slow on every route does.
   *
   * @param factor 0 (off) or 2..1000
   * @param interval how often the means are compared
   * @param minRequests responses an instance needs in an interval to be judged, at least 1
   * @param minInstances judged instances needed to judge any, at least 2
   */
  public record SlowEjection(int factor, Duration interval, int minRequests, int minInstances) {
    /** No slow-instance ejection. */
    public static final SlowEjection OFF = new SlowEjection(MeshKeys.SLOW_FACTOR.defaultInt(),
        MeshKeys.SLOW_INTERVAL.defaultDuration(), MeshKeys.SLOW_MIN_REQUESTS.defaultInt(),
        MeshKeys.SLOW_MIN_INSTANCES.defaultInt());

    public SlowEjection {
      Objects.requireNonNull(interval, "interval");
    }

    /** Ejection of instances over {@code factor} times the median, with the default interval and minimums. */
    public static SlowEjection factor(int factor) {
      return new SlowEjection(factor, OFF.interval, OFF.minRequests, OFF.minInstances);
    }

    /** Whether slow instances are ejected at all. */
    public boolean enabled() {
      return factor > 0;
    }
  }

  /** Whether {@code outcome}, with response {@code status} (0 without a response), is a gateway error. */
  public static boolean isGatewayError(io.meshclient.api.CallOutcome outcome, int status) {
    return outcome.isFailure() && (status == 0 || status == 502 || status == 503 || status == 504);
  }
}
