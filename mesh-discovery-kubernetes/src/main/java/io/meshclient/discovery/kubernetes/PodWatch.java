package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One informer on the pods of the namespace, shared by every service watch, so that {@code version}
 * and other configured labels reach instance metadata (EndpointSlices carry no pod labels). Tells its
 * owner the name of each pod whose labels in use changed. Thread-safe.
 */
final class PodWatch implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PodWatch.class.getPackageName());

  private final String namespace;
  private final PodLabelStore store;
  private final KubernetesClient client;
  private final Consumer<String> labelsChanged;
  private final Consumer<Throwable> failed;
  private final StatusTracker status;
  /** Replaced by {@link #restart()}; every informer shares the one store, so labels stay known meanwhile. */
  private volatile SharedIndexInformer<Pod> informer;
  private volatile boolean failing;
  private volatile boolean closed;
  /** Failures since the last list or change: the informer's backoff grows with them. */
  private final AtomicInteger failuresInARow = new AtomicInteger();
  /** While true, a restart is scheduled after the API server's Retry-After and no other restart happens. */
  private volatile boolean relistPending;
  private final RetryAfterInterceptor retryAfter;

  PodWatch(KubernetesClient client, String namespace, List<String> keys, Consumer<String> labelsChanged,
      Consumer<Throwable> failed, StatusTracker status, RetryAfterInterceptor retryAfter) {
    this.retryAfter = retryAfter;
    this.namespace = namespace;
    this.store = new PodLabelStore(keys);
    this.client = client;
    this.labelsChanged = labelsChanged;
    this.failed = failed;
    this.status = status;
    this.informer = newInformer();
  }

  private SharedIndexInformer<Pod> newInformer() {
    SharedIndexInformer<Pod> informer = client.pods().inNamespace(namespace).runnableInformer(0);
    informer.itemStore(store);
    informer.exceptionHandler((started, t) -> {
      relistPending = true;
      Duration wait = retryAfter.relistLater(t, failuresInARow.incrementAndGet(), this::relist);
      relistPending = wait != null;
      if (!failing) {
        failing = true;
        LOG.log(Level.WARNING, "Kubernetes pod watch in ''{0}'' failed, keeping the labels known ({1}); retrying{2}",
            namespace, Failures.describe(t, "pods", "", namespace), RetryAfterInterceptor.describe(wait));
      }
      failed.accept(t);
      status.failed(this, "pods: " + Failures.describe(t, "pods", "", namespace));
      return wait == null; // false: stop, relist() starts a new informer once the API server's wait is over
    });
    informer.addEventHandler(new ResourceEventHandler<Pod>() {
      @Override
      public void onList(String resourceVersion, boolean changed) {
        recovered();
        status.updated(PodWatch.this);
      }

      @Override
      public void onAdd(Pod pod) {
        recovered();
        status.updated(PodWatch.this);
        labelsChanged.accept(pod.getMetadata().getName());
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        recovered();
        status.updated(PodWatch.this);
        if (!store.labelsInUse(old).equals(store.labelsInUse(pod))) {
          labelsChanged.accept(pod.getMetadata().getName());
        }
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        labelsChanged.accept(pod.getMetadata().getName());
      }
    });
    return informer;
  }

  /** The first informer's first list, once {@link #begin} has started it (guarded by this). */
  private java.util.concurrent.CompletableFuture<Void> firstList;

  /** Replaces the informer with one that lists afresh into the same store and watches again. */
  synchronized void restart() {
    if (!relistPending) { // else the API server asked to wait, and relist() restarts when it has
      replaceInformer();
    }
  }

  private synchronized void relist() {
    relistPending = false;
    if (!closed) {
      replaceInformer();
    }
  }

  private void replaceInformer() {
    SharedIndexInformer<Pod> old = informer;
    informer = newInformer();
    old.close();
    informer.start();
  }

  /** Starts the informer without waiting for its first list (see {@link #awaitFirstList}). */
  synchronized void begin() {
    if (firstList == null) {
      firstList = informer.start().toCompletableFuture();
    }
  }

  /** Waits until {@code deadlineNanos} ({@link System#nanoTime()}) at most for the first list after {@link #begin}. */
  void awaitFirstList(long deadlineNanos) {
    java.util.concurrent.CompletableFuture<Void> list;
    synchronized (this) {
      list = firstList;
    }
    try {
      list.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(Level.DEBUG, "Kubernetes pod list in ''{0}'' not done in time", namespace);
    }
  }

  private void recovered() {
    failuresInARow.set(0);
    if (failing) {
      failing = false;
      LOG.log(Level.INFO, "Kubernetes pod watch in ''{0}'' recovered", namespace);
    }
  }

  /** The configured labels of pod {@code name}; none if the pod is not known (yet). */
  Map<String, String> labels(String name) {
    return store.labels(namespace, name);
  }

  /** Whether the informer has listed and its watch is open. */
  boolean watching() {
    return informer.hasSynced() && informer.isWatching();
  }

  @Override
  public synchronized void close() {
    closed = true;
    informer.close();
  }
}
