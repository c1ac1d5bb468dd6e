package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.ExponentialBackoffIntervalCalculator;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes the informers wait as long as the API server asks: the {@code Retry-After} of a 429 (API Priority and
 * Fairness) or 503 answer, in seconds or as an HTTP date, at most {@link #MAX_WAIT}, and never less than the
 * informer's own backoff ({@code watchReconnectInterval} doubling per failure in a row, up to 32 times it).
 *
 * <p>A fabric8 informer retries after its own backoff only, and the failure it reports keeps the answer's
 * status, not its headers. So this interceptor, on the discovery's client, notes each 429 or 503 answer's
 * {@code Retry-After} as it arrives (before the informer hears of the failure), and {@link #relistLater}
 * tells a watch's exception handler to stop that informer (its documented {@code false}) and schedules the
 * watch's restart, a new informer that lists afresh, after the wait. One value for the client: API Priority
 * and Fairness throttles by flow (the user, and here one namespace), which every watch of this client shares.
 * One daemon thread, {@code mesh-kubernetes-retry}, started at the first wait. Thread-safe.
 */
final class RetryAfterInterceptor implements Interceptor, AutoCloseable {
  /** The name this interceptor is registered under on the client. */
  static final String NAME = "MeshRetryAfter";
  /** The longest wait honoured: a longer {@code Retry-After} is cut to this. */
  static final Duration MAX_WAIT = Duration.ofSeconds(60);
  private static final int TOO_MANY_REQUESTS = 429;
  private static final int UNAVAILABLE = 503;

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
  public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (response.code() != TOO_MANY_REQUESTS && response.code() != UNAVAILABLE) {
      return;
    }
    long seconds = seconds(response.header("Retry-After"), Instant.now());
    if (seconds >= 0) {
      untilNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(seconds, MAX_WAIT.toSeconds()));
      asked = true;
    }
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
   * After {@code t}, the {@code failures}-th failure in a row of a watch: when it is a 429 or 503 answer that
   * asked to wait, schedules {@code relist} after that wait (at most {@link #MAX_WAIT}, at least the informer's
   * backoff for that failure) and returns the wait, and the informer must stop; otherwise returns null and the
   * informer retries after its own backoff.
   */
  Duration relistLater(Throwable t, int failures, Runnable relist) {
    int code = Failures.code(t);
    if (code != TOO_MANY_REQUESTS && code != UNAVAILABLE || !asked) {
      return null;
    }
    long askedNanos = untilNanos - System.nanoTime();
    if (askedNanos <= 0) {
      return null; // asked before this failure and already waited
    }
    long backoffNanos = TimeUnit.MILLISECONDS.toNanos(backoff.getInterval(Math.max(0, failures - 1)));
    Duration wait = Duration.ofNanos(Math.max(askedNanos, backoffNanos));
    try {
      scheduler.schedule(relist, wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return null; // the discovery is closing
    }
    return wait;
  }

  /** How a warning ends that says it retries: nothing, or {@code " in 3 s, as the API server asked (Retry-After)"}. */
  static String describe(Duration wait) {
    return wait == null ? "" : " in " + Math.max(1, (wait.toMillis() + 500) / 1000) + " s, as the API server asked "
        + "(Retry-After, at most " + MAX_WAIT.toSeconds() + " s)";
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
