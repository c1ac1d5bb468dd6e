package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.ExponentialBackoffIntervalCalculator;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notes how long the API server asked to wait: the {@code Retry-After} of a 429 (API Priority and Fairness) or
 * 503 answer, in seconds or as an HTTP date, at most {@link #MAX_WAIT}; {@link RetryAfterLister} waits it out
 * (never less than the informer's own backoff: {@code watchReconnectInterval} doubling per failure in a row,
 * up to 32 times it) before it lists again.
 *
 * <p>The failure a fabric8 request reports keeps the answer's status, not its headers, so this interceptor, on
 * the discovery's client, reads {@code Retry-After} from each failed answer in {@code afterFailure}, which runs
 * before the answer reaches the caller. One value for the client: API Priority and Fairness throttles by flow
 * (the user, and here one namespace), which every list of this client shares. One daemon thread, {@code
 * mesh-kubernetes-retry}, started at the first wait, runs the lists asked again. Thread-safe.
 */
final class RetryAfterInterceptor implements Interceptor, AutoCloseable {
  /** The name this interceptor is registered under on the client. */
  static final String NAME = "MeshRetryAfter";
  /** The longest wait honoured: a longer {@code Retry-After} is cut to this. */
  static final Duration MAX_WAIT = Duration.ofSeconds(60);
  private static final int TOO_MANY_REQUESTS = 429;
  private static final int UNAVAILABLE = 503;
  private static final CompletableFuture<Boolean> NO_RETRY = CompletableFuture.completedFuture(false);

  private final ExponentialBackoffIntervalCalculator backoff;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "mesh-kubernetes-retry");
    t.setDaemon(true);
    return t;
  });
  /** Until when ({@link System#nanoTime()}) the API server last asked to wait; meaningful while {@link #asked}. */
  private volatile long untilNanos;
  private volatile boolean asked;

  /** @param reconnectIntervalMillis the informers' first backoff ({@code Config.getWatchReconnectInterval()}) */
  RetryAfterInterceptor(int reconnectIntervalMillis) {
    this.backoff = new ExponentialBackoffIntervalCalculator(reconnectIntervalMillis,
        ExponentialBackoffIntervalCalculator.UNLIMITED_RETRIES);
  }

  @Override
  public CompletableFuture<Boolean> afterFailure(BasicBuilder request, HttpResponse<?> response, RequestTags tags) {
    if (response.code() == TOO_MANY_REQUESTS || response.code() == UNAVAILABLE) {
      long seconds = seconds(response.header("Retry-After"), Instant.now());
      if (seconds >= 0) {
        untilNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(seconds, MAX_WAIT.toSeconds()));
        asked = true;
      }
    }
    return NO_RETRY; // fabric8 sends no request again: the lister decides, after the wait
  }

  /**
   * The seconds a {@code Retry-After} value asks for (delay-seconds, or an HTTP date less {@code now}), or -1
   * when it is absent or neither.
   */
  static long seconds(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return -1;
    }
    String v = value.strip();
    if (v.length() <= 9 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Long.parseLong(v);
    }
    try {
      return Math.max(0, Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME))
          .toSeconds());
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  /**
   * How long to wait before listing again after {@code t}, the {@code failures}-th failure in a row of a list:
   * when it is a 429 or 503 answer, the wait the API server asked for ({@code Retry-After}, at most {@link
   * #MAX_WAIT}) or, without one, the informer's backoff for that failure, whichever is longer; otherwise null,
   * and the informer handles the failure itself.
   */
  Wait waitAfter(Throwable t, int failures) {
    int code = Failures.code(t);
    if (code != TOO_MANY_REQUESTS && code != UNAVAILABLE) {
      return null;
    }
    Duration asked = pending(); // null: not asked, or asked before this failure and already waited
    long backoffNanos = TimeUnit.MILLISECONDS.toNanos(backoff.getInterval(Math.max(0, failures - 1)));
    return asked == null ? new Wait(Duration.ofNanos(backoffNanos), false)
        : new Wait(Duration.ofNanos(Math.max(asked.toNanos(), backoffNanos)), true);
  }

  /**
   * A wait before the next list: {@code duration}, and whether the API server asked for it ({@code
   * Retry-After}) or it is the informer's backoff.
   */
  record Wait(Duration duration, boolean asked) {
    /** How a warning ends that says it retries: {@code " in 3 s, as the API server asked (Retry-After, ...)"}. */
    String describe() {
      long seconds = Math.max(1, (duration.toMillis() + 500) / 1000);
      return asked ? " in " + seconds + " s, as the API server asked (Retry-After, at most " + MAX_WAIT.toSeconds()
          + " s)" : " in " + seconds + " s (no Retry-After: the informer's backoff)";
    }
  }

  /** What is left of the wait the API server last asked for, or null when it is over. */
  Duration pending() {
    long left = asked ? untilNanos - System.nanoTime() : 0;
    return left > 0 ? Duration.ofNanos(left) : null;
  }

  /** Runs {@code task} after {@code wait}; false when the discovery is closing and it never will. */
  boolean schedule(Runnable task, Duration wait) {
    try {
      scheduler.schedule(task, wait.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
