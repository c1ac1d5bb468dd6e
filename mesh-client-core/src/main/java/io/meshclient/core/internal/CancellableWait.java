package io.meshclient.core.internal;

import io.meshclient.core.Sleeper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;

/**
 * A wait on a call's request path that the call's {@link Call#cancel()} ends: the retry backoff, a fault
 * injection's delay, a rate limit's {@code max-wait}. OkHttp does not interrupt the thread of a cancelled
 * call, so the wait is cut in slices of at most {@link #CHECK_NANOS} and the call checked before each: a
 * cancelled call ends within a slice, failing as OkHttp fails a cancelled call.
 */
public final class CancellableWait {
  /** How often a waiting call checks whether it was cancelled. */
  public static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private CancellableWait() {}

  /**
   * Waits {@code nanos} with {@code sleeper}, in slices of at most {@link #CHECK_NANOS} that add up to
   * exactly {@code nanos}, checking {@code call} before each slice and after the last.
   *
   * @param call the call whose cancel ends the wait; null: only an interrupt does
   * @throws InterruptedIOException if the thread is interrupted (its interrupt flag stays set)
   * @throws IOException {@code "Canceled"}, as OkHttp says it, if {@code call} was cancelled
   */
  public static void sleep(Sleeper sleeper, Call call, long nanos) throws IOException {
    for (long left = nanos; left > 0; left -= CHECK_NANOS) {
      throwIfCanceled(call);
      sleeper.sleep(Math.min(left, CHECK_NANOS));
    }
    if (nanos > 0) {
      throwIfCanceled(call);
    }
  }

  /**
   * Throws what OkHttp throws for a cancelled call if {@code call} (null: none) was cancelled.
   *
   * @throws IOException {@code "Canceled"}
   */
  public static void throwIfCanceled(Call call) throws IOException {
    if (call != null && call.isCanceled()) {
      throw new IOException("Canceled");
    }
  }
}
