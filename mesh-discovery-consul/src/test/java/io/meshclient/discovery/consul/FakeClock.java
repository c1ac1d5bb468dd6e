package io.meshclient.discovery.consul;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock whose sleeps pass at once: each moves the time forward by the slept duration. */
final class FakeClock implements WatchClock {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    nanos.addAndGet(duration.toNanos());
    Thread.sleep(1); // lets other threads run; real time spent here is not on this clock
  }
}
