package io.meshclient.core;

import java.io.InterruptedIOException;

/**
 * Waits, for retry backoff and injected delays; injected so tests can observe waits instead of sleeping. A
 * retry backoff and a fault injection's delay are waited in slices of at most 100 ms that add up to the
 * whole wait, each one call, so that a call cancelled during the wait ends within a slice.
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Waits {@code nanos}.
   *
   * @throws InterruptedIOException if the thread is interrupted while waiting
   */
  void sleep(long nanos) throws InterruptedIOException;

  /** {@link Thread#sleep}. */
  static Sleeper system() {
    return nanos -> {
      try {
        Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting");
      }
    };
  }
}
