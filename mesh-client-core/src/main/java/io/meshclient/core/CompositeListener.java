package io.meshclient.core;

import io.meshclient.api.CallOutcome;

/** Forwards every event to two listeners. */
final class CompositeListener implements MeshListener {
  private final MeshListener first;
  private final MeshListener second;

  CompositeListener(MeshListener first, MeshListener second) {
    this.first = first;
    this.second = second;
  }

  @Override
  public void onCallComplete(String service, String subset, String method, int status, CallOutcome outcome,
      long durationNanos) {
    first.onCallComplete(service, subset, method, status, outcome, durationNanos);
    second.onCallComplete(service, subset, method, status, outcome, durationNanos);
  }

  @Override
  public void onRateLimited(String service, String limiter) {
    first.onRateLimited(service, limiter);
    second.onRateLimited(service, limiter);
  }

  @Override
  public void onConcurrencyLimited(String service) {
    first.onConcurrencyLimited(service);
    second.onConcurrencyLimited(service);
  }

  @Override
  public void onRetry(String service, String reason) {
    first.onRetry(service, reason);
    second.onRetry(service, reason);
  }
}
