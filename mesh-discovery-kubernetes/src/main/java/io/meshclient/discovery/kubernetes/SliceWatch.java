package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The watch of one service: an informer on its EndpointSlices (label {@value #SERVICE_NAME_LABEL}) that
 * lists, watches, and relists by itself after a dropped watch or {@code 410 Gone}. Each change, each
 * (re)list and each change of a referenced pod's labels rebuilds the whole snapshot from the informer's
 * store; a snapshot is pushed only when it differs from the last one. While the API server is
 * unreachable the store, and so the last snapshot, stay as they were. Each failure is reported at once;
 * the informer retries after its backoff, except a list refused with 429 or 503 (the API server throttling),
 * which waits inside the list, what the answer's {@code Retry-After} asked or the backoff, and asks again
 * (see {@link RetryAfterLister}): fabric8 never hears of it, so logs no stack trace for it. Thread-safe.
 */
final class SliceWatch implements ServiceDiscovery.Watch {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  private static final System.Logger LOG = System.getLogger(SliceWatch.class.getPackageName());

  private final String service;
  private final String namespace;
  private final String portName;
  private final ServiceDiscovery.Listener listener;
  private final EndpointSlices.PodLabels pods;
  private final KubernetesWatchListener events;
  private final Runnable onClose;
  private final StatusTracker status;
  private final RetryAfterInterceptor retryAfter;
  private final KubernetesClient client;
  /** Replaced by {@link #restart()}: a stopped fabric8 informer cannot be started again. */
  private volatile SharedIndexInformer<EndpointSlice> informer;
  /** Guards delivery: no two snapshots at once, none after close. */
  private final ReentrantLock lock = new ReentrantLock();
  private List<ServiceInstance> current;
  private volatile Set<String> referencedPods = Set.of();
  private boolean warnedNoSlices;
  /** What the last snapshot left out (guarded by {@link #lock}). */
  private List<String> problems = List.of();
  /** What topology-aware hints did in the last snapshot, or null (guarded by {@link #lock}). */
  private String topology;
  /** The caller's zone as the discovery knows it now (null if unknown), for topology-aware hints. */
  private final Supplier<String> callerZone;
  /** Whether the last snapshot is of terminating but serving endpoints (guarded by {@link #lock}). */
  private boolean servingTerminating;
  private volatile boolean failing;
  /** Whether a list has been delivered, and whether it had no slice: for {@link #whyNoInstances}. */
  private volatile boolean listed;
  private volatile boolean noSlices;
  /** The last failure of the watch, or null: for {@link #whyNoInstances} before the first list. */
  private volatile String lastFailure;
  private volatile boolean closed;
  private volatile long listStartNanos = System.nanoTime();
  /**
   * False until {@link #start} has delivered the first list on the calling thread. Until then informer
   * threads only mark the watch {@code dirty}: the caller may hold a lock that our listener needs (the
   * mesh builds under one), so delivering from two threads at once could deadlock.
   */
  private volatile boolean started;
  private volatile boolean dirty;

  /** Steps of the watch where the order of threads matters, for a test to act on between them ({@link #steps}). */
  enum Step {
    /** An informer thread saw a change before the caller's first delivery was done, and left it to the caller. */
    CHANGE_LEFT_TO_CALLER,
    /** The caller is done with the first list (delivered, or not listed in time): informer threads deliver now. */
    STARTED,
    /** A thread is about to take the lock to deliver. */
    DELIVERING
  }

  /** Told of each {@link Step} on the thread taking it; for tests, nothing otherwise. */
  volatile Consumer<Step> steps = step -> {};

  SliceWatch(KubernetesClient client, String namespace, String service, String portName,
      ServiceDiscovery.Listener listener, EndpointSlices.PodLabels pods, KubernetesWatchListener events, Runnable onClose,
      StatusTracker status, RetryAfterInterceptor retryAfter, Supplier<String> callerZone) {
    this.status = status;
    this.callerZone = callerZone;
    this.retryAfter = retryAfter;
    this.service = service;
    this.namespace = namespace;
    this.portName = portName;
    this.listener = listener;
    this.pods = pods;
    this.events = events;
    this.onClose = onClose;
    this.client = client;
    this.informer = newInformer();
  }

  private SharedIndexInformer<EndpointSlice> newInformer() {
    SharedIndexInformer<EndpointSlice> informer = RetryAfterLister.informer(client, EndpointSlice.class,
        client.discovery().v1().endpointSlices().inNamespace(namespace).withLabel(SERVICE_NAME_LABEL, service),
        retryAfter, this::failed);
    informer.exceptionHandler((started, t) -> {
      failed(t, null);
      return true; // keep retrying; the store keeps the last known slices meanwhile
    });
    informer.addEventHandler(new ResourceEventHandler<EndpointSlice>() {
      @Override
      public void onBeforeList(String resourceVersion) {
        listStartNanos = System.nanoTime();
      }

      @Override
      public void onList(String resourceVersion, boolean changed) {
        long latency = System.nanoTime() - listStartNanos;
        refresh(Duration.ofNanos(Math.max(1, latency)));
      }

      @Override
      public void onAdd(EndpointSlice slice) {
        refresh(Duration.ZERO);
      }

      @Override
      public void onUpdate(EndpointSlice old, EndpointSlice slice) {
        refresh(Duration.ZERO);
      }

      @Override
      public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
        refresh(Duration.ZERO);
      }
    });
    return informer;
  }

  /**
   * Replaces the informer with a new one that lists afresh and watches again, keeping the snapshot until
   * the new list is in: for a watch the JDK's HttpClient may hold open, silently dead, after the API
   * server dropped it (see {@link ApiServerProbe}).
   */
  void restart() {
    SharedIndexInformer<EndpointSlice> old;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      old = informer;
      informer = newInformer();
    } finally {
      lock.unlock();
    }
    old.close();
    informer.start();
  }

  /** The first informer's first list, once {@link #begin} has started it. */
  private volatile java.util.concurrent.CompletableFuture<Void> firstList;

  /** Starts the informer, without waiting for its first list (see {@link #awaitFirstList}). */
  void begin() {
    events.onWatchStarted(service);
    firstList = informer.start().toCompletableFuture();
  }

  /**
   * Waits until {@code deadlineNanos} ({@link System#nanoTime()}) at most for the first list after
   * {@link #begin} and delivers it on this thread; {@code max} is the whole wait, for the warning.
   */
  void awaitFirstList(long deadlineNanos, Duration max) {
    try {
      firstList.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      deliver(Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(Level.WARNING, "Kubernetes EndpointSlices of ''{0}'' in ''{1}'' not listed within {2}; "
          + "the service has no instances until they are", service, namespace, max);
    }
    started = true;
    steps.accept(Step.STARTED);
    if (dirty) { // an informer thread saw a change while this thread delivered
      dirty = false;
      // Not waited for. Since started, informer threads deliver: one that holds the lock took it after it saw
      // started, so it reads the store after that change and delivers it (or what came next); and it may be
      // waiting in the listener for a lock this thread holds (the mesh's, as it builds): waiting for it deadlocked.
      // (restart() holds it a moment too, and its new informer lists everything again; close() delivers nothing.)
      if (lock.tryLock()) {
        try {
          deliverLocked(Duration.ZERO);
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Whether an endpoint of this service's slices, as last mapped, is pod {@code pod}. */
  boolean references(String pod) {
    return referencedPods.contains(pod);
  }

  /** Rebuilds the snapshot from the informer's store and pushes it if it changed (once started). */
  void refresh(Duration listLatency) {
    if (!started) {
      dirty = true;
      if (!started) {
        steps.accept(Step.CHANGE_LEFT_TO_CALLER);
        return; // awaitFirstList() delivers it
      }
    }
    deliver(listLatency);
  }

  private void deliver(Duration listLatency) {
    steps.accept(Step.DELIVERING);
    lock.lock();
    try {
      deliverLocked(listLatency);
    } finally {
      lock.unlock();
    }
  }

  /** Rebuilds the snapshot and pushes it if it changed; under {@link #lock}. */
  private void deliverLocked(Duration listLatency) {
    // Read under the lock, as restart() replaces it: the new informer's store is empty until it has listed.
    SharedIndexInformer<EndpointSlice> listing = informer;
    if (closed || !listing.hasSynced()) {
      return; // events of the first list are folded into one snapshot at its end
    }
    recovered();
    status.updated(this);
    List<EndpointSlice> slices = listing.getStore().list();
    noSlices = slices.isEmpty();
    listed = true;
    // Published before the pods' labels are read: a pod whose labels change once read is then one this watch
    // references, so the pod watch's thread refreshes it (after this delivery, under the lock), and the change
    // is not lost, for a pod this delivery adds too
    referencedPods = EndpointSlices.pods(slices);
    EndpointSlices.Mapped mapped = EndpointSlices.map(service, slices, portName, pods, callerZone.get());
    if (!mapped.problems().equals(problems)) { // warned once per change, not on every event
      for (String problem : mapped.problems()) {
        if (!problems.contains(problem)) {
          LOG.log(Level.WARNING, "EndpointSlice " + problem.replaceFirst(" (left out|ignored): ",
              " of '" + service + "' in '" + namespace + "' $1: "));
        }
      }
      problems = mapped.problems();
    }
    servingTerminating(mapped);
    if (mapped.topology() != null && !mapped.topology().equals(topology)) { // said once per change
      LOG.log(Level.INFO, "Kubernetes EndpointSlices of ''{0}'' in ''{1}'': {2}", service, namespace,
          mapped.topology());
    } else if (mapped.topology() == null && topology != null) { // the Service's topology mode was turned off
      LOG.log(Level.INFO, "Kubernetes EndpointSlices of ''{0}'' in ''{1}'': no endpoint has topology-aware hints "
          + "any more; calls go to every ready endpoint", service, namespace);
    }
    topology = mapped.topology();
    events.onResponse(service, listLatency, mapped.instances().size());
    if (slices.isEmpty() && !warnedNoSlices) {
      LOG.log(Level.WARNING, "Kubernetes has no EndpointSlice of ''{0}'' in ''{1}'' (label {2}={0}); "
          + "it has no instances until one appears", service, namespace, SERVICE_NAME_LABEL);
    }
    warnedNoSlices = slices.isEmpty();
    if (mapped.instances().equals(current)) {
      return;
    }
    current = mapped.instances();
    LOG.log(Level.DEBUG, "Kubernetes: {0} instances of ''{1}'' take traffic", current.size(), service);
    try {
      listener.onSnapshot(current);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Listener of the Kubernetes watch of ''{0}'' failed: {1}", service, e.toString());
    }
  }

  /** Says when the service starts and stops falling back to terminating endpoints, once each (under {@link #lock}). */
  private void servingTerminating(EndpointSlices.Mapped mapped) {
    if (mapped.servingTerminating() == servingTerminating) {
      return;
    }
    servingTerminating = mapped.servingTerminating();
    status.servingTerminating(this, service, servingTerminating);
    if (servingTerminating) {
      LOG.log(Level.WARNING, "No endpoint of ''{0}'' in ''{1}'' is ready: its {2} terminating but serving "
          + "instances take traffic until one is, as kube-proxy does", service, namespace, mapped.instances().size());
    } else if (mapped.instances().isEmpty()) {
      LOG.log(Level.WARNING, "No endpoint of ''{0}'' in ''{1}'' is ready or serving any more: it has no instances",
          service, namespace);
    } else {
      LOG.log(Level.INFO, "An endpoint of ''{0}'' in ''{1}'' is ready again: terminating endpoints no longer take "
          + "traffic", service, namespace);
    }
  }

  /**
   * Reports failure {@code t}. {@code wait} is non-null for a throttled list (429 or 503), which is waited out
   * inside the list and warned once per list, on one line; any other failure is warned once until a list
   * succeeds again.
   */
  private void failed(Throwable t, RetryAfterInterceptor.Wait wait) {
    if (closed) {
      return;
    }
    if (!failing || wait != null) {
      failing = true;
      LOG.log(Level.WARNING, "Kubernetes watch of ''{0}'' in ''{1}'' failed, keeping its last known instances "
          + "({2}); retrying{3}", service, namespace, describe(t), wait == null ? "" : wait.describe());
    }
    events.onFailure(service, Failures.of(t));
    lastFailure = describe(t);
    status.failed(this, "EndpointSlices of " + service + ": " + lastFailure);
  }

  String service() {
    return service;
  }

  /**
   * Why the service has no instance as Kubernetes tells it, for the call that fails for want of one: never
   * listed (with the watch's last failure: an unreachable API server, a forbidden list), or listed with no
   * EndpointSlice (a Service name that is not the one called, or in another namespace); null otherwise.
   */
  String whyNoInstances() {
    if (!listed) {
      String failure = lastFailure;
      return "Kubernetes has not listed its EndpointSlices in '" + namespace + "' yet"
          + (failure == null ? "" : " (" + failure + ")");
    }
    return noSlices ? "Kubernetes has no EndpointSlice of it in '" + namespace + "' (label " + SERVICE_NAME_LABEL
        + "=" + service + ")" : null;
  }

  private String describe(Throwable t) {
    return Failures.describe(t, "endpointslices", "discovery.k8s.io", namespace);
  }

  private void recovered() {
    if (failing) {
      failing = false;
      LOG.log(Level.INFO, "Kubernetes watch of ''{0}'' recovered", service);
    }
  }

  /** Reports a failure of the shared pod watch, on which this service's subsets depend. */
  void podWatchFailed(Throwable t) {
    if (!closed) {
      events.onFailure(service, Failures.of(t));
    }
  }

  /** Whether the informer has listed and its watch is open. */
  boolean watching() {
    return informer.hasSynced() && informer.isWatching();
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      lock.unlock();
    }
    informer.close();
    status.stopped(this);
    events.onWatchStopped(service);
    onClose.run();
  }
}
