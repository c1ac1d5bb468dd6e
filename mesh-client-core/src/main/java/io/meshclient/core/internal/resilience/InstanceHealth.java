package io.meshclient.core.internal.resilience;

import io.meshclient.api.ServiceInstance;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What an {@link OutlierDetector} knows of one instance: its runs of failures, its counts, its ejection. */
final class InstanceHealth {
  /** The instance as first recorded, for the ejection event of a comparison with its peers. */
  final ServiceInstance instance;
  final AtomicInteger consecutiveFailures = new AtomicInteger();
  final AtomicInteger consecutiveGatewayErrors = new AtomicInteger();
  /** Latencies and responses since the last slow-ejection comparison. */
  final AtomicLong latencySum = new AtomicLong();
  final AtomicInteger responses = new AtomicInteger();
  /** Calls and failed calls since the last failure-percentage or success-rate judgment. */
  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  /** Times ejected, which lengthens the next ejection (guarded by the detector). */
  int ejections;
  /** When the ejection in force ends (ticker nanos), or 0 when there is none not yet reported returned. */
  volatile long ejectedUntil;

  InstanceHealth(ServiceInstance instance) {
    this.instance = instance;
  }

  /** Whether an ejection is in force at {@code now}. */
  boolean ejectedAt(long now) {
    return ejectedUntil != 0 && ejectedUntil - now > 0;
  }
}
