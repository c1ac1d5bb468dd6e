package io.meshclient.discovery.consul;

import java.time.Duration;

/** The time source and sleeper of watch loops: the system's, or a test's that does not really sleep. */
interface WatchClock {

  /** The system clock; {@link #sleep} really sleeps and ends early when the thread is interrupted. */
  WatchClock SYSTEM = new WatchClock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      if (!duration.isNegative() && !duration.isZero()) {
        Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
      }
    }
  };

  /** A monotonic reading in nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /** Waits for {@code duration}. */
  void sleep(Duration duration) throws InterruptedException;
}
