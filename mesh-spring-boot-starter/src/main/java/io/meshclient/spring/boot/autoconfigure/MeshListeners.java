package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.api.CallOutcome;
import io.meshclient.core.MeshListener;
import java.util.List;

/** Forwards every mesh event to several listeners, in order. */
final class MeshListeners implements MeshListener {
  private final MeshListener[] listeners;

  private MeshListeners(List<MeshListener> listeners) {
    this.listeners = listeners.toArray(new MeshListener[0]);
  }

  static MeshListener of(List<MeshListener> listeners) {
    return listeners.size() == 1 ? listeners.get(0) : new MeshListeners(listeners);
  }

  @Override
  public void onCallComplete(String service, String subset, String method, int status, CallOutcome outcome,
      long durationNanos) {
    for (MeshListener l : listeners) {
      l.onCallComplete(service, subset, method, status, outcome, durationNanos);
    }
  }

  @Override
  public void onRateLimited(String service, String limiter) {
    for (MeshListener l : listeners) {
      l.onRateLimited(service, limiter);
    }
  }

  @Override
  public void onConcurrencyLimited(String service) {
    for (MeshListener l : listeners) {
      l.onConcurrencyLimited(service);
    }
  }

  @Override
  public void onRetry(String service, String reason) {
    for (MeshListener l : listeners) {
      l.onRetry(service, reason);
    }
  }
}
