package io.meshclient.core.internal.http;

import io.meshclient.core.MeshListener;
import io.meshclient.core.Sleeper;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.internal.CancellableWait;
import io.meshclient.core.internal.ServiceRuntime;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait between two attempts of a call: whether there is one (attempts left, the retry budget, the call's
 * deadline), its jittered exponential length, and the wait itself, which a cancel ends within a slice.
 */
final class RetryBackoff {
  private final MeshListener listener;
  private final Ticker ticker;
  private final Sleeper sleeper;

  RetryBackoff(MeshListener listener, Ticker ticker, Sleeper sleeper) {
    this.listener = listener;
    this.ticker = ticker;
    this.sleeper = sleeper;
  }

  /**
   * The backoff before attempt {@code attempt + 1}, in nanoseconds, or -1 if there is none: attempts or the
   * retry budget used up, or the backoff would end past the {@code deadline} (0 = none). Takes a retry from
   * the budget when it returns a backoff.
   */
  long next(ServiceRuntime service, RetryConfig retry, int attempt, long deadline) {
    if (attempt >= retry.attempts()) {
      return -1;
    }
    long cap = Math.min(retry.backoffMax().toNanos(), retry.backoffBase().toNanos() << Math.min(20, attempt - 1));
    long backoff = cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
    // The deadline before the budget: a retry never sent must not use up one another call could send.
    if (deadline != 0 && deadline - ticker.nanoTime() - backoff <= 0) {
      return -1;
    }
    if (!service.budget().tryRetry()) {
      listener.onRetryBudgetExhausted(service.name());
      return -1;
    }
    return backoff;
  }

  /**
   * Waits {@code nanos} of backoff with the mesh's {@link Sleeper}, as a {@link CancellableWait}: a call
   * cancelled meanwhile ends within a slice instead of after the whole backoff, without an attempt more.
   *
   * @throws InterruptedIOException if the thread is interrupted (its interrupt flag stays set)
   * @throws IOException "Canceled", as OkHttp says it, if {@code call} was cancelled
   */
  void pause(okhttp3.Call call, long nanos) throws IOException {
    CancellableWait.sleep(sleeper, call, nanos);
  }
}
