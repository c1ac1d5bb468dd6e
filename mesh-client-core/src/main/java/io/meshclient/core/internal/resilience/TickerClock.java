package io.meshclient.core.internal.resilience;

import io.meshclient.core.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A {@link Clock} that reads a {@link Ticker}, so resilience4j's open-state timing follows an injected clock. */
final class TickerClock extends Clock {
  private final Ticker ticker;

  TickerClock(Ticker ticker) {
    this.ticker = ticker;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return Math.floorDiv(ticker.nanoTime(), 1_000_000L);
  }

  @Override
  public Instant instant() {
    long nanos = ticker.nanoTime();
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
