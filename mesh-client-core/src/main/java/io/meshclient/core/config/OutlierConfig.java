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
 */
public record OutlierConfig(
    int consecutiveFailures,
    Duration baseEjection,
    Duration maxEjection,
    int maxEjectedPercent,
    int panicThresholdPercent,
    int consecutiveGatewayErrors) {

  /** 5 failures in a row, 30s base, 300s cap, at most 50% ejected, panic below 50% healthy. */
  public static final OutlierConfig DEFAULT =
      new OutlierConfig(MeshKeys.CONSECUTIVE.defaultInt(), MeshKeys.BASE_EJECTION.defaultDuration(),
          MeshKeys.MAX_EJECTION.defaultDuration(), MeshKeys.MAX_EJECTED.defaultInt(), MeshKeys.PANIC.defaultInt(),
          MeshKeys.CONSECUTIVE_GATEWAY.defaultInt());

  public OutlierConfig {
    Objects.requireNonNull(baseEjection, "baseEjection");
    Objects.requireNonNull(maxEjection, "maxEjection");
  }

  /** Detection that does not count gateway errors apart. */
  public OutlierConfig(int consecutiveFailures, Duration baseEjection, Duration maxEjection, int maxEjectedPercent,
      int panicThresholdPercent) {
    this(consecutiveFailures, baseEjection, maxEjection, maxEjectedPercent, panicThresholdPercent, 0);
  }

  /** Whether {@code outcome}, with response {@code status} (0 without a response), is a gateway error. */
  public static boolean isGatewayError(io.meshclient.api.CallOutcome outcome, int status) {
    return outcome.isFailure() && (status == 0 || status == 502 || status == 503 || status == 504);
  }
}
