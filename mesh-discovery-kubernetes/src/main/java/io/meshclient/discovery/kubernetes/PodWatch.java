package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
  private final RetryAfterInterceptor retryAfter;
  /** Replaced by {@link #restart()}; every informer shares the one store, so labels stay known meanwhile. */
  private volatile SharedIndexInformer<Pod> informer;
  private volatile boolean failing;

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
    SharedIndexInformer<Pod> informer = RetryAfterLister.informer(client, Pod.class,
        client.pods().inNamespace(namespace), retryAfter, this::failed);
    informer.itemStore(store);
    informer.exceptionHandler((started, t) -> {
      failed(t, null);
      return true;
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

  /** Reports failure {@code t}; warned as {@link SliceWatch} warns its failures, {@code wait} likewise. */
  private void failed(Throwable t, RetryAfterInterceptor.Wait wait) {
    if (!failing || wait != null) {
      failing = true;
      LOG.log(Level.WARNING, "Kubernetes pod watch in ''{0}'' failed, keeping the labels known ({1}); retrying{2}",
          namespace, Failures.describe(t, "pods", "", namespace), wait == null ? "" : wait.describe());
    }
    failed.accept(t);
    status.failed(this, "pods: " + Failures.describe(t, "pods", "", namespace));
  }

  private void recovered() {
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
    informer.close();
  }
}
