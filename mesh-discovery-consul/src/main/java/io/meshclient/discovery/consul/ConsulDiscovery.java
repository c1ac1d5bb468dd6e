package io.meshclient.discovery.consul;

import io.meshclient.api.ServiceDiscovery;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLContext;

/**
 * Discovery from Consul: one {@link HealthWatch} (and daemon thread) per watched service, all sharing
 * one HTTP client to the agent. Thread-safe.
 */
final class ConsulDiscovery implements ServiceDiscovery {
  private static final Duration JOIN_ON_CLOSE = Duration.ofSeconds(2);
  /** How long {@link #watch} waits for Consul's first answer, so that it can deliver it at once. */
  static final Duration FIRST_ANSWER_WAIT = Duration.ofSeconds(2);

  private final ConsulDiscoverySettings settings;
  private final HealthEndpoint endpoint;
  private final ConsulWatchListener events;
  private final WatchClock clock;
  private final DoubleSupplier random;
  private final Set<HealthWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  ConsulDiscovery(ConsulDiscoverySettings settings, SSLContext sslContext, ConsulWatchListener events,
      WatchClock clock, DoubleSupplier random) {
    this.settings = settings;
    this.endpoint = new HealthEndpoint(settings, sslContext);
    this.events = events;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Starts a watch of {@code service} on a new daemon thread and waits up to {@link #FIRST_ANSWER_WAIT}
   * for Consul's first answer, which it delivers on the calling thread before returning. A failed first
   * query ends the wait at once.
   *
   * @throws IllegalStateException if this discovery is closed
   */
  @Override
  public Watch watch(String service, Listener listener) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(listener, "listener");
    if (closed.get()) {
      throw new IllegalStateException("closed: " + this);
    }
    HealthWatch[] self = new HealthWatch[1];
    HealthWatch watch = new HealthWatch(service, listener, endpoint, clock,
        new Backoff(settings.backoffInitial(), settings.backoffMax(), random), settings.minInterval(), events,
        () -> watches.remove(self[0]));
    self[0] = watch;
    watches.add(watch);
    watch.start();
    if (closed.get()) {
      watch.close();
    } else {
      watch.awaitFirstAnswer(FIRST_ANSWER_WAIT);
    }
    return watch;
  }

  /** Stops every watch, waits briefly for their threads, and closes the connections to the agent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Set<HealthWatch> stopping = Set.copyOf(watches);
    stopping.forEach(HealthWatch::close);
    endpoint.close();
    long deadline = System.nanoTime() + JOIN_ON_CLOSE.toNanos();
    for (HealthWatch watch : stopping) {
      long left = deadline - System.nanoTime();
      if (left > 0 && watch.thread() != Thread.currentThread()) {
        try {
          watch.thread().join(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public String toString() {
    return "ConsulDiscovery[" + settings.url() + "]";
  }
}
