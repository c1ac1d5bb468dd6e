package io.meshclient.core.internal.resilience;

import io.meshclient.core.Ticker;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Caps retries so a failing service does not get a retry storm (Finagle's and Linkerd's retry budget):
 * over the last 10 seconds, retries may be at most {@code percent} of first attempts, plus a reserve
 * of {@code minPerSecond} retries per second that refills steadily and holds at most one (so a client that
 * just started can retry its first failure). Over any period of {@code t} seconds, retries are at most
 * {@code percent}% of first attempts + {@code minPerSecond * t + 1}.
 *
 * <p>{@link #onRequest} is on the request path: a division, a volatile read and an atomic increment.
 * {@link #tryRetry} runs only when a retry is wanted. Thread-safe.
 */
public final class RetryBudget {
  private static final int SLOTS = 10;
  private static final long SLOT_NANOS = 1_000_000_000L;

  private final int percent;
  private final long reserveIntervalNanos;
  private final Ticker ticker;
  private final AtomicLongArray epochs = new AtomicLongArray(SLOTS);
  private final AtomicLongArray requests = new AtomicLongArray(SLOTS);
  private final AtomicLongArray retries = new AtomicLongArray(SLOTS);
  private final AtomicLong reserveTat;

  public RetryBudget(int percent, int minPerSecond, Ticker ticker) {
    this.percent = percent;
    this.ticker = ticker;
    this.reserveIntervalNanos = minPerSecond <= 0 ? Long.MAX_VALUE : SLOT_NANOS / minPerSecond;
    long now = ticker.nanoTime();
    this.reserveTat = new AtomicLong(minPerSecond <= 0 ? Long.MAX_VALUE : now);
    for (int i = 0; i < SLOTS; i++) {
      epochs.set(i, Long.MIN_VALUE);
    }
  }

  /** Counts a first attempt. */
  public void onRequest() {
    int slot = slot(ticker.nanoTime());
    requests.incrementAndGet(slot);
  }

  /** Takes one retry from the budget if there is one; true means the retry may be sent. */
  public boolean tryRetry() {
    long now = ticker.nanoTime();
    synchronized (this) {
      int current = slot(now);
      long epoch = Math.floorDiv(now, SLOT_NANOS);
      long recentRequests = 0;
      long recentRetries = 0;
      for (int i = 0; i < SLOTS; i++) {
        if (epoch - epochs.get(i) < SLOTS) {
          recentRequests += requests.get(i);
          recentRetries += retries.get(i);
        }
      }
      // Retries paid from the reserve count here too, so the ratio part makes up for them later.
      if ((recentRetries + 1) * 100 <= percent * recentRequests || takeReserve(now)) {
        retries.incrementAndGet(current);
        return true;
      }
    }
    return false;
  }

  private boolean takeReserve(long now) {
    while (true) {
      long tat = reserveTat.get();
      if (tat == Long.MAX_VALUE || tat - now > 0) {
        return false;
      }
      // From now, not from a reserve interval ago: that credited an idle reserve with a second retry.
      if (reserveTat.compareAndSet(tat, Math.max(tat, now) + reserveIntervalNanos)) {
        return true;
      }
    }
  }

  /** The slot of {@code now}, cleared first if it still holds counts of an older second. */
  private int slot(long now) {
    long epoch = Math.floorDiv(now, SLOT_NANOS);
    int slot = (int) Math.floorMod(epoch, (long) SLOTS);
    if (epochs.get(slot) != epoch) {
      synchronized (this) {
        if (epochs.get(slot) != epoch) {
          requests.set(slot, 0);
          retries.set(slot, 0);
          epochs.set(slot, epoch);
        }
      }
    }
    return slot;
  }
}
