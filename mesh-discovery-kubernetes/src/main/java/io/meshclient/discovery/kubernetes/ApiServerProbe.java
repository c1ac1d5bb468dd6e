package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Asks the API server for {@code GET /version} every {@code interval} and, when it answers again after
 * failing, restarts every watch. On Java 17 the JDK HttpClient under fabric8 can keep a watch whose
 * connection the API server dropped open, silently dead: the informer neither reports a failure nor
 * relists, and changes are lost until its 10-minute watch timeout. The probe notices the outage (the
 * status turns {@code DISCONNECTED}) and the restart relists, so no update is lost. One daemon thread,
 * {@code mesh-kubernetes-probe}. Thread-safe.
 */
final class ApiServerProbe implements AutoCloseable {
  /** How often the probe asks when nothing else is configured. */
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  private static final System.Logger LOG = System.getLogger(ApiServerProbe.class.getPackageName());

  private final KubernetesClient client;
  private final StatusTracker status;
  private final Runnable restartWatches;
  private final Runnable answered;
  private final ScheduledExecutorService executor;
  /** Runs the request itself, so a call hanging on a dead pooled connection is bounded by {@link #TIMEOUT}. */
  private final java.util.concurrent.ExecutorService caller;
  private java.util.concurrent.Future<?> pending; // confined to the probe thread
  private volatile boolean failing;
  private volatile boolean closed;
  /** How long one probe may take before it counts as failed. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  /**
   * @param restartWatches run when the API server answers again after failing
   * @param answered run on the probe's thread after every answer (a lookup that failed may be tried again)
   */
  ApiServerProbe(KubernetesClient client, StatusTracker status, Runnable restartWatches, Runnable answered,
      Duration interval) {
    this.client = client;
    this.status = status;
    this.restartWatches = restartWatches;
    this.answered = answered;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mesh-kubernetes-probe");
      t.setDaemon(true);
      return t;
    });
    this.caller = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "mesh-kubernetes-probe-call");
      t.setDaemon(true);
      return t;
    });
    long millis = interval.toMillis();
    executor.scheduleWithFixedDelay(this::probe, millis, millis, TimeUnit.MILLISECONDS);
  }

  void probe() {
    try {
      if (pending == null || pending.isDone()) {
        pending = caller.submit(client::getKubernetesVersion);
      }
      pending.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // closing
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      if (closed) {
        return;
      }
      String why = e instanceof java.util.concurrent.TimeoutException
          ? "timeout: no answer within " + TIMEOUT.toMillis() + " ms" : Failures.describe(e.getCause());
      status.failed(this, "API server probe (GET /version): " + why);
      if (!failing) {
        failing = true;
        LOG.log(Level.WARNING, "Kubernetes API server does not answer GET /version ({0}); keeping the last known "
            + "instances, and restarting every watch once it answers", why);
      }
      return;
    }
    if (closed) {
      return;
    }
    status.stopped(this);
    if (failing) {
      failing = false;
      LOG.log(Level.INFO, "Kubernetes API server answers again: restarting every watch, which relists");
      goOn(restartWatches, "restarting the watches");
    }
    goOn(answered, "the work after an answer");
  }

  /**
   * Runs {@code task}, logging what it throws: an exception leaving a task of a scheduled executor cancels
   * every later run, so the probe would stop for good, silently.
   */
  private static void goOn(Runnable task, String what) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Kubernetes API server probe: " + what + " failed (" + Failures.describe(e)
          + "); the probe goes on");
    }
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    caller.shutdownNow();
  }
}
