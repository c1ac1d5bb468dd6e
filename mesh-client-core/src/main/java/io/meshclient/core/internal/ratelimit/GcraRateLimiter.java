package io.meshclient.core.internal.ratelimit;

import io.github.resilience4j.core.EventConsumer;
import io.github.resilience4j.core.EventProcessor;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.event.RateLimiterEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnFailureEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnSuccessEvent;
import io.meshclient.core.Sleeper;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.internal.CancellableWait;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Call;

/**
 * A token bucket implemented as the Generic Cell Rate Algorithm, behind resilience4j's {@link
 * RateLimiter} interface so that its registry, events and Micrometer binding apply.
 *
 * <p>Why not resilience4j's own {@code AtomicRateLimiter}: it refills a fixed window at once, so a
 * caller can take a whole window's permits at the end of one window and again at the start of the next,
 * twice the configured burst. GCRA keeps one "theoretical arrival time" (TAT) and admits a request when
 * {@code TAT - now <= tolerance}, which bounds every window of length {@code t} to at most {@code burst
 * + rate * t} admissions, and a steady caller to {@code rate}.
 *
 * <p>Acquiring a permit is one compare-and-set on an {@link AtomicLong}: no lock, no allocation (events
 * are only created when someone listens). Thread-safe.
 */
public final class GcraRateLimiter implements RateLimiter {
  /**
   * Waits for a permit in real time (the {@link Ticker} only tells how long), to the nanosecond where
   * {@link Thread#sleep} would round up to the millisecond; the interrupt flag stays set.
   */
  private static final Sleeper PARK = nanos -> {
    long deadline = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted while waiting");
      }
    }
  };

  private final String name;
  private final Ticker ticker;
  private final Map<String, String> tags;
  private final AtomicLong tat;
  private final AtomicInteger waiting = new AtomicInteger();
  private final Events events = new Events();
  private volatile Settings settings;

  private GcraRateLimiter(String name, RateLimitConfig config, Ticker ticker, Map<String, String> tags) {
    this.name = Objects.requireNonNull(name, "name");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.tags = Map.copyOf(tags);
    this.settings = new Settings(config);
    this.tat = new AtomicLong(ticker.nanoTime());
  }

  /**
   * A full bucket with the given settings.
   *
   * @param name the limiter's name in the registry and in meters, such as {@code reviews}
   */
  public static GcraRateLimiter of(String name, RateLimitConfig config, Ticker ticker) {
    return new GcraRateLimiter(name, Objects.requireNonNull(config, "config"), ticker, Map.of());
  }

  /** The bucket's settings. */
  public RateLimitConfig config() {
    return settings.config;
  }

  /**
   * Takes a permit if one is free now; never waits. The allocation-free path the mesh uses when {@code
   * max-wait} is 0.
   */
  public boolean tryAcquire() {
    return reserve(settings, 1, 0) >= 0;
  }

  /**
   * Takes {@code permits}, waiting up to {@code max-wait} for them; what the mesh admits a call with. The
   * wait is a {@link CancellableWait}: cancelling {@code call} ends it within a slice.
   *
   * @param call the call the permits are for, whose cancel ends the wait; null: only an interrupt does
   * @return false if they are not free within {@code max-wait} (nothing is taken)
   * @throws InterruptedIOException if the thread is interrupted while waiting: the permits are given back,
   *     so a later caller is not charged for them, and the thread's interrupt flag stays set
   * @throws IOException "Canceled", as OkHttp says it, if {@code call} is cancelled while waiting: the
   *     permits are given back
   */
  public boolean acquire(int permits, Call call) throws IOException {
    return acquire(permits, call, Long.MAX_VALUE);
  }

  /**
   * As {@link #acquire(int, Call)}, waiting no longer than {@code waitLimitNanos} either (the time left to the
   * call's deadline): a permit that comes later would only admit a call with no time left to be answered.
   */
  public boolean acquire(int permits, Call call, long waitLimitNanos) throws IOException {
    Settings s = settings;
    long wait = reserve(s, permits, Math.min(s.maxWaitNanos, Math.max(0, waitLimitNanos)));
    if (wait < 0) {
      if (events.hasConsumers()) {
        events.processEvent(new RateLimiterOnFailureEvent(name, permits));
      }
      return false;
    }
    if (wait > 0) {
      waiting.incrementAndGet();
      try {
        CancellableWait.sleep(PARK, call, wait);
      } catch (IOException e) {
        tat.addAndGet(-s.intervalNanos * permits);
        if (e instanceof InterruptedIOException) {
          throw new InterruptedIOException("interrupted while waiting for a permit of rate limiter " + name);
        }
        throw e;
      } finally {
        waiting.decrementAndGet();
      }
    }
    if (events.hasConsumers()) {
      events.processEvent(new RateLimiterOnSuccessEvent(name, permits));
    }
    return true;
  }

  /**
   * Gives back {@code permits} taken and not used (their call was refused by a later check), so a later
   * caller is not charged for them. The bucket never holds more than {@code burst}.
   */
  public void release(int permits) {
    tat.addAndGet(-settings.intervalNanos * permits);
  }

  /** As {@link #acquire}, but false when interrupted (the permits given back, the interrupt flag set). */
  @Override
  public boolean acquirePermission(int permits) {
    try {
      return acquire(permits, null);
    } catch (IOException e) { // only an interrupt, without a call to cancel
      return false;
    }
  }

  @Override
  public long reservePermission(int permits) {
    Settings s = settings;
    return reserve(s, permits, s.maxWaitNanos);
  }

  /**
   * Reserves {@code permits} if they are free within {@code timeoutNanos}.
   *
   * @return nanoseconds to wait before using them (0 = now), or -1 if refused (nothing reserved)
   */
  long reserve(Settings s, int permits, long timeoutNanos) {
    long cost = s.intervalNanos * permits;
    while (true) {
      // TAT first, then the clock: a thread descheduled between the two reads sees a later "now",
      // never a stale one that would refuse it with the bucket full.
      long current = tat.get();
      long now = ticker.nanoTime();
      long next = Math.max(current, now) + cost;
      long wait = next - s.intervalNanos - s.toleranceNanos - now;
      if (wait > timeoutNanos) {
        return -1;
      }
      if (tat.compareAndSet(current, next)) {
        return Math.max(0, wait);
      }
    }
  }

  /**
   * Nanoseconds from now until one permit is free (0 if one is free now); reserves nothing. What a
   * refused caller is told to wait ({@code Retry-After}).
   */
  public long nanosUntilPermit() {
    Settings s = settings;
    long current = tat.get();
    long now = ticker.nanoTime();
    return Math.max(0, Math.max(current, now) - s.toleranceNanos - now);
  }

  @Override
  public void drainPermissions() {
    Settings s = settings;
    long now = ticker.nanoTime();
    tat.accumulateAndGet(now + s.toleranceNanos + s.intervalNanos, Math::max);
  }

  @Override
  public void changeTimeoutDuration(Duration timeout) {
    RateLimitConfig c = settings.config;
    settings = new Settings(new RateLimitConfig(c.permits(), c.per(), c.burst(), timeout));
  }

  @Override
  public void changeLimitForPeriod(int limitForPeriod) {
    RateLimitConfig c = settings.config;
    settings = new Settings(new RateLimitConfig(limitForPeriod, c.per(), c.burst(), c.maxWait()));
  }

  @Override
  public String getName() {
    return name;
  }

  /** The equivalent resilience4j configuration: {@code permits} per {@code per}, timeout {@code max-wait}. */
  @Override
  public RateLimiterConfig getRateLimiterConfig() {
    return settings.resilience4j;
  }

  @Override
  public Map<String, String> getTags() {
    return tags;
  }

  @Override
  public Metrics getMetrics() {
    return new Metrics() {
      @Override
      public int getNumberOfWaitingThreads() {
        return waiting.get();
      }

      @Override
      public int getAvailablePermissions() {
        return availablePermissions();
      }
    };
  }

  /** Permits that could be taken right now without waiting, 0 to {@code burst}. */
  public int availablePermissions() {
    Settings s = settings;
    long current = tat.get();
    long now = ticker.nanoTime();
    long headroom = now + s.toleranceNanos - Math.max(current, now);
    return headroom < 0 ? 0 : (int) Math.min(s.config.burst(), headroom / s.intervalNanos + 1);
  }

  @Override
  public EventPublisher getEventPublisher() {
    return events;
  }

  @Override
  public String toString() {
    RateLimitConfig c = settings.config;
    return "GcraRateLimiter{name=" + name + ", rate=" + c.rateText() + ", burst=" + c.burst() + "}";
  }

  private static final class Settings {
    final RateLimitConfig config;
    final long intervalNanos;
    final long toleranceNanos;
    final long maxWaitNanos;
    final RateLimiterConfig resilience4j;

    Settings(RateLimitConfig config) {
      this.config = config;
      this.intervalNanos = config.emissionIntervalNanos();
      this.toleranceNanos = (config.burst() - 1L) * intervalNanos;
      this.maxWaitNanos = config.maxWait().toNanos();
      this.resilience4j = RateLimiterConfig.custom()
          .limitForPeriod((int) Math.min(Integer.MAX_VALUE, config.permits()))
          .limitRefreshPeriod(config.per())
          .timeoutDuration(config.maxWait())
          .build();
    }
  }

  private static final class Events extends EventProcessor<RateLimiterEvent>
      implements EventConsumer<RateLimiterEvent>, EventPublisher {
    @Override
    public EventPublisher onSuccess(EventConsumer<RateLimiterOnSuccessEvent> consumer) {
      registerConsumer(RateLimiterOnSuccessEvent.class.getName(), consumer);
      return this;
    }

    @Override
    public EventPublisher onFailure(EventConsumer<RateLimiterOnFailureEvent> consumer) {
      registerConsumer(RateLimiterOnFailureEvent.class.getName(), consumer);
      return this;
    }

    @Override
    public void consumeEvent(RateLimiterEvent event) {
      super.processEvent(event);
    }
  }
}
