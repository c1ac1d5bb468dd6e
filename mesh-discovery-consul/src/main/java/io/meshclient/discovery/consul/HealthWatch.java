package io.meshclient.discovery.consul;

import io.meshclient.api.spi.SettingValues;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

/**
 * The watch loop of one service, on its own daemon thread: blocking queries one after the other,
 * snapshots pushed only when the passing set really changed, the last known good set kept through
 * failures, retries with {@link Backoff}, and at least {@code min-interval} between query starts.
 */
final class HealthWatch implements ServiceDiscovery.Watch, Runnable {
  private static final System.Logger LOG = System.getLogger(HealthWatch.class.getPackageName());

  private final String service;
  private final ServiceDiscovery.Listener listener;
  private final HealthEndpoint endpoint;
  private final WatchClock clock;
  private final Backoff backoff;
  private final Duration minInterval;
  private final ConsulWatchListener events;
  private final Runnable onClose;
  private final Thread thread;
  /** Held while delivering, so that no snapshot arrives after {@link #close()} returns. */
  private final Object delivery = new Object();
  private final FirstAnswer first = new FirstAnswer();
  private volatile boolean closed;

  HealthWatch(String service, ServiceDiscovery.Listener listener, HealthEndpoint endpoint, WatchClock clock,
      Backoff backoff, Duration minInterval, ConsulWatchListener events, Runnable onClose) {
    this.service = service;
    this.listener = listener;
    this.endpoint = endpoint;
    this.clock = clock;
    this.backoff = backoff;
    this.minInterval = minInterval;
    this.events = events;
    this.onClose = onClose;
    this.thread = new Thread(this, "mesh-consul-watch-" + service);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Waits up to {@code max} for the first answer and delivers it on the calling thread (see {@link
   * FirstAnswer}). Returns at once if the first query fails.
   */
  void awaitFirstAnswer(Duration max) {
    first.await(max, this::deliver);
  }

  /** The thread running this watch, for tests. */
  Thread thread() {
    return thread;
  }

  @Override
  public void run() {
    events.onWatchStarted(service);
    long index = 0;
    List<ServiceInstance> current = null;
    try {
      while (!closed) {
        long start = clock.nanoTime();
        HealthEndpoint.Answer answer;
        try {
          answer = endpoint.fetch(service, index);
        } catch (ConsulUnavailableException e) {
          if (closed) {
            break;
          }
          first.fail();
          events.onFailure(service, since(start), e.failure());
          Duration delay = backoff.next();
          logFailure(e, current, delay);
          clock.sleep(delay);
          continue;
        }
        events.onResponse(service, since(start), answer.instances().size());
        if (backoff.failures() > 0) {
          LOG.log(Level.INFO, "Consul watch of ''{0}'' recovered after {1} failed attempts",
              service, backoff.failures());
          backoff.reset();
        }
        index = BlockingIndex.next(index, answer.index());
        if (!answer.instances().equals(current)) {
          current = answer.instances();
          if (!first.handOff(current)) {
            deliver(current);
          }
        }
        Duration spent = since(start);
        if (spent.compareTo(minInterval) < 0) {
          clock.sleep(minInterval.minus(spent));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      endpoint.forget(thread);
      events.onWatchStopped(service);
    }
  }

  private void deliver(List<ServiceInstance> instances) {
    if (instances.isEmpty()) {
      LOG.log(Level.WARNING, "Consul reports no passing instance of ''{0}''", service);
    } else {
      LOG.log(Level.DEBUG, "Consul reports {0} passing instances of ''{1}''", instances.size(), service);
    }
    synchronized (delivery) {
      if (closed) {
        return;
      }
      try {
        listener.onSnapshot(instances);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Listener of the Consul watch of '" + service + "' failed", e);
      }
    }
  }

  private void logFailure(ConsulUnavailableException e, List<ServiceInstance> current, Duration delay) {
    String kept = current == null ? "no instances known yet"
        : "keeping the " + current.size() + " last known instances";
    String message = e.getMessage() + "; " + kept + ", retry " + backoff.failures() + " in "
        + SettingValues.formatDuration(delay.withNanos(delay.getNano() / 1_000_000 * 1_000_000));
    if (backoff.failures() == 1) {
      LOG.log(Level.WARNING, message);
    } else {
      LOG.log(Level.DEBUG, message, e);
    }
  }

  private Duration since(long startNanos) {
    return Duration.ofNanos(clock.nanoTime() - startNanos);
  }

  /** Stops the loop, cutting an in-flight blocking query short. Idempotent. */
  @Override
  public void close() {
    synchronized (delivery) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (thread.isAlive() && thread != Thread.currentThread()) {
      endpoint.cancel(thread);
      thread.interrupt();
    }
    onClose.run();
  }

  @Override
  public String toString() {
    return "HealthWatch[" + service + (closed ? ", closed]" : "]");
  }
}
