package io.meshclient.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health checking (Envoy's outlier detection): an instance that fails {@code
 * consecutiveFailures} times in a row (connect failures, resets, timeouts, 5xx) is taken out of
 * balancing for {@code baseEjection} times the number of times it was ejected, at most {@code
 * maxEjection}, then comes back.
 *
 * @param consecutiveFailures failures in a row that eject, at least 1
 * @param baseEjection ejection time of a first ejection
 * @param maxEjection cap of the ejection time
 * @param maxEjectedPercent never eject more than this share of the service's instances, 0..100; as in Envoy,
 *     one instance may be ejected whatever share it is, unless this is 0
 * @param panicThresholdPercent when fewer than this share of a subset's instances are healthy, balance
 *     across all of them, ejected or not (Envoy's panic mode), 0..100
 */
public record OutlierConfig(
    int consecutiveFailures,
    Duration baseEjection,
    Duration maxEjection,
    int maxEjectedPercent,
    int panicThresholdPercent) {

  /** 5 failures in a row, 30s base, 300s cap, at most 50% ejected, panic below 50% healthy. */
  public static final OutlierConfig DEFAULT =
      new OutlierConfig(MeshKeys.CONSECUTIVE.defaultInt(), MeshKeys.BASE_EJECTION.defaultDuration(),
          MeshKeys.MAX_EJECTION.defaultDuration(), MeshKeys.MAX_EJECTED.defaultInt(), MeshKeys.PANIC.defaultInt());

  public OutlierConfig {
    Objects.requireNonNull(baseEjection, "baseEjection");
    Objects.requireNonNull(maxEjection, "maxEjection");
  }
}
