package io.meshclient.core;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.internal.ReloadCallbacks;
import java.util.List;

/**
 * Forwards every event to each of its listeners, in order. On the reload and discovery paths (a service removed, an
 * instance refused, a reconfiguration) one that throws is logged and the next ones still get the event.
 */
final class CompositeListener implements MeshListener {
  private final MeshListener[] listeners;

  CompositeListener(List<MeshListener> listeners) {
    this.listeners = listeners.toArray(new MeshListener[0]);
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

  @Override
  public void onHedge(String service, String route) {
    for (MeshListener l : listeners) {
      l.onHedge(service, route);
    }
  }

  @Override
  public void onRetryBudgetExhausted(String service) {
    for (MeshListener l : listeners) {
      l.onRetryBudgetExhausted(service);
    }
  }

  @Override
  public void onBreakerRejected(String service) {
    for (MeshListener l : listeners) {
      l.onBreakerRejected(service);
    }
  }

  @Override
  public void onEjected(String service, String instanceId, long nanos) {
    for (MeshListener l : listeners) {
      l.onEjected(service, instanceId, nanos);
    }
  }

  @Override
  public void onReturned(String service, String instanceId) {
    for (MeshListener l : listeners) {
      l.onReturned(service, instanceId);
    }
  }

  @Override
  public void onInstanceRejected(String service, String instanceId, String reason) {
    for (MeshListener l : listeners) {
      ReloadCallbacks.instanceRejected(l, service, instanceId, reason);
    }
  }

  @Override
  public void onMirror(String service, String route, String result) {
    for (MeshListener l : listeners) {
      l.onMirror(service, route, result);
    }
  }

  @Override
  public void onFaultInjected(String service, String route, String kind) {
    for (MeshListener l : listeners) {
      l.onFaultInjected(service, route, kind);
    }
  }

  @Override
  public void onServiceRemoved(String service) {
    for (MeshListener l : listeners) {
      ReloadCallbacks.serviceRemoved(l, service);
    }
  }

  @Override
  public void onReconfigure(boolean applied) {
    for (MeshListener l : listeners) {
      ReloadCallbacks.reconfigured(l, applied);
    }
  }
}
