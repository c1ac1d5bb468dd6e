package io.meshclient.core.internal.resilience;

import io.meshclient.core.MeshListener;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener that counts the retries the mesh sends and the ones its retry budget refuses. */
final class RetryCounts implements MeshListener {
  final AtomicInteger retries = new AtomicInteger();
  final AtomicInteger exhausted = new AtomicInteger();

  @Override
  public void onRetry(String service, String reason) {
    retries.incrementAndGet();
  }

  @Override
  public void onRetryBudgetExhausted(String service) {
    exhausted.incrementAndGet();
  }
}
