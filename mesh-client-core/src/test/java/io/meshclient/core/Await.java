package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Polling with a deadline, for tests that wait on a file watch or another thread instead of sleeping. */
public final class Await {
  private Await() {}

  /** Polls {@code condition} every 20 ms for up to 10 s; file events and checks normally land in well under 1 s. */
  public static void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 10 s for: " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
