package io.meshclient.discovery.consul;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * The watch of one service: what was last delivered, the hand-over of the first answer to the thread
 * that called {@code watch()}, and the rule that fetches of one service never overlap (a fetch asked
 * for while one runs makes that one run again). Owns no thread: {@link AgentWatch} fetches for it.
 */
final class ServiceWatch implements ServiceDiscovery.Watch {
  private static final System.Logger LOG = System.getLogger(ServiceWatch.class.getPackageName());
  private static final int IDLE = 0;
  private static final int FETCHING = 1;
  private static final int FETCHING_AGAIN = 2;

  private final String service;
  private final ServiceDiscovery.Listener listener;
  private final Runnable onClose;
  /** Held while delivering, so that no snapshot arrives after {@link #close()} returns; guards below. */
  private final Object delivery = new Object();
  private List<ServiceInstance> current;
  private boolean firstOpen = true;
  private boolean firstFailed;
  private List<ServiceInstance> firstOffered;
  private final AtomicInteger fetch = new AtomicInteger(IDLE);
  /** Used by the (one) fetch running for this service. */
  final Backoff backoff;
  private volatile boolean closed;
  private volatile long lastFetchStart;
  private volatile String lastFailure;
  /** Stale reads only: the index of the last answer used, or -1; written by the (one) fetch running. */
  private volatile long lastIndex = -1;
  /** Stale reads only: older answers passed over in a row. */
  private volatile int olderAnswers;
  /** Stale reads only: whether the next fetch is the re-read that follows a fetch. */
  private volatile boolean rereadDue;

  ServiceWatch(String service, ServiceDiscovery.Listener listener, Duration backoffInitial, Duration backoffMax,
      DoubleSupplier random, Runnable onClose) {
    this.service = service;
    this.listener = listener;
    this.onClose = onClose;
    this.backoff = new Backoff(backoffInitial, backoffMax, random);
  }

  String service() {
    return service;
  }

  boolean isClosed() {
    return closed;
  }

  /** How many instances were last delivered, or -1 before the first answer. */
  int knownInstances() {
    synchronized (delivery) {
      return current == null ? -1 : current.size();
    }
  }

  /** Marks a fetch as wanted; returns true if the caller must start one (none runs now). */
  boolean wantFetch() {
    return fetch.getAndUpdate(s -> s == IDLE ? FETCHING : FETCHING_AGAIN) == IDLE;
  }

  /** Called as a fetch starts: later {@link #wantFetch} calls make it run again. */
  void fetchStarting(long nanoTime) {
    fetch.set(FETCHING);
    lastFetchStart = nanoTime;
  }

  /** When the last fetch started ({@link System#nanoTime()}), or 0 before the first. */
  long lastFetchStart() {
    return lastFetchStart;
  }

  /**
   * Stale reads: whether an answer at {@code index} may be used. One older than the last used came from a
   * server further behind and is passed over, at most {@code maxOlder} times in a row (then the index went
   * back for good: a restore). Returns false when passed over.
   */
  boolean useStaleAnswer(long index, int maxOlder) {
    if (lastIndex != -1 && Long.compareUnsigned(index, lastIndex) < 0 && olderAnswers < maxOlder) {
      olderAnswers++;
      return false;
    }
    olderAnswers = 0;
    lastIndex = index;
    return true;
  }

  /** Marks the next fetch as the re-read that follows a fetch. */
  void rereadDue() {
    rereadDue = true;
  }

  /** Whether this fetch is a re-read (and clears it). */
  boolean takeReread() {
    boolean due = rereadDue;
    rereadDue = false;
    return due;
  }

  /** Called as a fetch ends; returns true if another was asked for meanwhile and must run now. */
  boolean fetchAgain() {
    return !fetch.compareAndSet(FETCHING, IDLE);
  }

  /**
   * An answer: delivered if it differs from the last one, or handed to the caller of {@code watch()}
   * while it waits for the first answer.
   */
  void offer(List<ServiceInstance> instances) {
    synchronized (delivery) {
      if (closed || instances.equals(current)) {
        return;
      }
      current = instances;
      if (firstOpen) {
        firstOffered = instances;
        delivery.notifyAll();
        return;
      }
      deliver(instances);
    }
  }

  /** A fetch failed, for {@code why}: the caller of {@code watch()} stops waiting for the first answer. */
  void firstFailed(String why) {
    lastFailure = why;
    synchronized (delivery) {
      firstFailed = true;
      delivery.notifyAll();
    }
  }

  /** Why Consul has not answered for this service yet (its last fetch's failure), or null once it has. */
  String whyNoAnswer() {
    String why = lastFailure;
    return why != null && knownInstances() < 0 ? why : null;
  }

  /**
   * Waits until {@code deadlineNanos} (of {@link System#nanoTime()}) for the first answer and delivers it
   * on the calling thread; returns at once if the first fetch fails. Later answers are delivered by the
   * threads that fetch them.
   */
  void awaitFirstAnswer(long deadlineNanos) {
    synchronized (delivery) {
      try {
        while (firstOffered == null && !firstFailed && !closed) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(delivery, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        firstOpen = false;
        if (firstOffered != null && !closed) {
          deliver(firstOffered);
        }
        firstOffered = null;
      }
    }
  }

  private void deliver(List<ServiceInstance> instances) {
    if (instances.isEmpty()) {
      LOG.log(Level.WARNING, "Consul reports no passing instance of ''{0}''", service);
    } else {
      LOG.log(Level.DEBUG, "Consul reports {0} passing instances of ''{1}''", instances.size(), service);
    }
    try {
      listener.onSnapshot(instances);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Listener of the Consul watch of '" + service + "' failed", e);
    }
  }

  /** Stops deliveries; no snapshot arrives after this returns. Idempotent. */
  @Override
  public void close() {
    synchronized (delivery) {
      if (closed) {
        return;
      }
      closed = true;
      delivery.notifyAll();
    }
    onClose.run();
  }

  @Override
  public String toString() {
    return "ServiceWatch[" + service + (closed ? ", closed]" : "]");
  }
}
