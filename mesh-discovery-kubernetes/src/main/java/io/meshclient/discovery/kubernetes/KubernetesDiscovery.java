package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Discovery from Kubernetes: one {@link SliceWatch} per watched service and, when pod labels are
 * configured, one {@link PodWatch} on the namespace shared by all, over one client. Thread-safe.
 */
final class KubernetesDiscovery implements ServiceDiscovery {
  private final KubernetesDiscoverySettings settings;
  private final KubernetesClient client;
  private final String namespace;
  private final KubernetesWatchListener events;
  private final Set<SliceWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final StatusTracker status = new StatusTracker();
  private final ApiServerProbe probe;
  private final RetryAfterInterceptor retryAfter;
  private final java.util.function.Function<String, String> env;
  private volatile String callerZone; // known once looked up
  private volatile boolean callerZoneKnown;
  /** Whether reading the Node failed: the probe tries again, and the slices are mapped again once it is read. */
  private volatile boolean callerZoneFailed;
  /** When the probe may read the Node again, and the wait after the next failure (5 s, doubling up to 5 min). */
  private long nextZoneReadNanos;
  private long zoneReadBackoffNanos = ApiServerProbe.DEFAULT_INTERVAL.toNanos();
  private static final long MAX_ZONE_READ_BACKOFF_NANOS = java.time.Duration.ofMinutes(5).toNanos();
  private PodWatch pods; // guarded by this; null until the first watch, or when no labels are configured

  KubernetesDiscovery(KubernetesDiscoverySettings settings, KubernetesClient client, String namespace,
      KubernetesWatchListener events, java.util.function.Function<String, String> env,
      RetryAfterInterceptor retryAfter) {
    this.retryAfter = retryAfter;
    this.env = env;
    this.settings = settings;
    this.client = client;
    this.namespace = namespace;
    this.events = events;
    this.probe = new ApiServerProbe(client, status, this::restartWatches, this::retryCallerZone,
        ApiServerProbe.DEFAULT_INTERVAL);
  }

  /**
   * A discovery over a new client for {@code settings}; the caller closes it.
   *
   * @throws ConfigurationException naming {@code configKey.kubeconfig} if that file cannot be read
   */
  static ServiceDiscovery connect(KubernetesDiscoverySettings settings, String configKey,
      KubernetesWatchListener events, java.util.function.Function<String, String> env) {
    Config config = config(settings, configKey);
    String namespace = !settings.namespace().isEmpty() ? settings.namespace()
        : config.getNamespace() != null && !config.getNamespace().isEmpty() ? config.getNamespace() : "default";
    RetryAfterInterceptor retryAfter = new RetryAfterInterceptor(config.getWatchReconnectInterval());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new ClosingHttpClientFactory())
        // fabric8 adds this interceptor when its logger is at TRACE; it logs every request header, the
        // bearer token in Authorization included. Secrets never reach a log: no wire log, whatever the level.
        .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor(FABRIC8_HTTP_LOGGING, null)
            .addOrReplaceInterceptor(RetryAfterInterceptor.NAME, retryAfter))
        .build();
    return new KubernetesDiscovery(settings, client, namespace, events, env, retryAfter);
  }

  /** The name fabric8 registers its header-logging interceptor under ({@code HttpLoggingInterceptor}). */
  static final String FABRIC8_HTTP_LOGGING = "HttpLogging";

  private static Config config(KubernetesDiscoverySettings settings, String configKey) {
    Config base;
    if (settings.kubeconfig() != null) {
      String why;
      try {
        String text = Files.readString(settings.kubeconfig());
        why = text.isBlank() ? "empty" : null; // fabric8 reads an empty file with a NullPointerException
        // From the file, not its text: a config that knows its file re-reads it when the API server answers
        // 401 (and every minute), so a token rotated in the kubeconfig is taken up without a restart.
        base = why == null ? Config.fromKubeconfig(settings.kubeconfig().toFile()) : null;
      } catch (IOException | RuntimeException e) {
        // The message may quote the file's content, credentials included: name the file only.
        why = e.getClass().getSimpleName();
        base = null;
      }
      if (why != null) {
        throw new ConfigurationException(ConfigurationException.problem(configKey + ".kubeconfig",
            settings.kubeconfig(), "a readable kubeconfig file (" + why + ")"), null);
      }
    } else {
      base = Config.autoConfigure(null);
    }
    // No retries inside one request: fabric8 retries a 429 or 5xx answer up to 10 times, waiting up to 3.2 s
    // each time (8.0.0 reads the Retry-After but waits its own backoff), before the informer hears of it, so a
    // list refused for minutes left the status CONNECTED (or UNKNOWN) with no error and no warning. The informers retry
    // themselves, from 1 s backing off to 32 s, after reporting each failure; a list refused with a 429 or 503
    // waits inside the list, its Retry-After or the backoff, reported, and asks again (RetryAfterLister).
    ConfigBuilder builder = new ConfigBuilder(base).withRequestRetryBackoffLimit(0);
    if (settings.masterUrl() != null) {
      builder.withMasterUrl(settings.masterUrl().toString());
    }
    return builder.build();
  }

  /** Restarts every informer: each lists afresh, so what changed while a watch was silently dead arrives. */
  private void restartWatches() {
    synchronized (this) {
      if (pods != null) {
        pods.restart();
      }
    }
    watches.forEach(SliceWatch::restart);
  }

  /**
   * Starts watching the EndpointSlices of {@code service} and waits up to {@code first-sync-wait} for the
   * first list, which it delivers on the calling thread before returning.
   *
   * @throws IllegalStateException if this discovery is closed
   */
  @Override
  public Watch watch(String service, Listener listener) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(listener, "listener");
    return watchAll(Map.of(service, listener)).get(service);
  }

  /**
   * Starts watching every service of {@code listeners} (and the pods, for their labels) at once and waits
   * up to {@code first-sync-wait} in all for their first lists, delivering each on the calling thread
   * before returning: an API server that does not answer delays a mesh's start by that wait once, not
   * once per service.
   *
   * @throws IllegalStateException if this discovery is closed
   */
  @Override
  public Map<String, Watch> watchAll(Map<String, Listener> listeners) {
    listeners.forEach((service, listener) -> {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(listener, "listener");
    });
    if (closed.get()) {
      throw new IllegalStateException("closed: " + this);
    }
    long deadline = System.nanoTime() + settings.firstSyncWait().toNanos();
    callerZone(); // looked up here, on the caller's thread: the slices' topology-aware hints need it
    PodWatch podWatch = podWatch();
    Map<String, Watch> out = new LinkedHashMap<>();
    List<SliceWatch> started = new ArrayList<>();
    listeners.forEach((service, listener) -> {
      SliceWatch[] self = new SliceWatch[1];
      SliceWatch watch = new SliceWatch(client, namespace, service, settings.portName(), listener,
          podWatch == null ? pod -> Map.of() : podWatch::labels, events, () -> watches.remove(self[0]), status,
          retryAfter, () -> callerZone);
      self[0] = watch;
      watches.add(watch);
      out.put(service, watch);
      if (closed.get()) {
        watch.close();
      } else {
        watch.begin();
        started.add(watch);
      }
    });
    if (podWatch != null) {
      podWatch.awaitFirstList(deadline); // labels first: the slices' first snapshots carry them
    }
    started.forEach(watch -> watch.awaitFirstList(deadline, settings.firstSyncWait()));
    return out;
  }

  private synchronized PodWatch podWatch() {
    if (pods == null && !settings.podLabels().isEmpty()) {
      pods = new PodWatch(client, namespace, settings.podLabels(), this::podLabelsChanged,
          t -> watches.forEach(w -> w.podWatchFailed(t)), status, retryAfter);
      pods.begin();
    }
    return pods;
  }

  private void podLabelsChanged(String pod) {
    for (SliceWatch watch : watches) {
      if (watch.references(pod)) {
        watch.refresh(java.time.Duration.ZERO);
      }
    }
  }

  /** Whether every informer has listed and watches now; for tests. */
  synchronized boolean watching() {
    return (pods == null || pods.watching()) && watches.stream().allMatch(SliceWatch::watching);
  }

  /** Why a watched service has no instance, as its {@link SliceWatch} tells it; null if it is not watched. */
  @Override
  public String whyNoInstances(String service, java.util.Map<String, String> selector) {
    for (SliceWatch watch : watches) {
      if (watch.service().equals(service)) {
        return watch.whyNoInstances();
      }
    }
    return null;
  }

  /**
   * {@code DISCONNECTED} while a watch fails (the last known instances keep serving), {@code CONNECTED}
   * once every failing watch has listed again; details: the namespace, the number of watched services and,
   * while some have no ready endpoint and call their terminating but serving ones, {@code
   * serving-terminating}: those services, comma-separated.
   */
  @Override
  public io.meshclient.api.DiscoveryStatus status() {
    return status.status(java.util.Map.of("namespace", namespace, "services", Integer.toString(watches.size())));
  }

  /**
   * The {@value #ZONE_LABEL} label of the Node named by the {@code NODE_NAME} environment variable (set it
   * from the downward API: {@code fieldRef: spec.nodeName}); null without {@code NODE_NAME}, or when the
   * Node has no zone label or cannot be read (reading it needs a ClusterRole with {@code get} on {@code
   * nodes}: see the README). Asks the API server until it has an answer, then remembers it.
   */
  @Override
  public String callerZone() {
    if (!callerZoneKnown) {
      synchronized (this) {
        if (!callerZoneKnown) {
          lookUpCallerZone();
        }
      }
    }
    return callerZone;
  }

  /**
   * On the probe's thread, after the API server answered: reads the Node again if that failed, and once the
   * zone is known maps every service's slices again, so the topology-aware hints apply without waiting for a
   * slice to change. Never on a caller's thread: a caller (the mesh building) may hold a lock the listeners need.
   */
  private void retryCallerZone() {
    long now = System.nanoTime();
    if (!callerZoneFailed || closed.get() || now - nextZoneReadNanos < 0) {
      return;
    }
    callerZone();
    if (!callerZoneKnown) { // backs off: without a ClusterRole every read fails until one is granted
      nextZoneReadNanos = now + zoneReadBackoffNanos;
      zoneReadBackoffNanos = Math.min(zoneReadBackoffNanos * 2, MAX_ZONE_READ_BACKOFF_NANOS);
    } else {
      callerZoneFailed = false;
      System.getLogger(KubernetesDiscovery.class.getPackageName()).log(System.Logger.Level.INFO,
          "Kubernetes Node ''{0}'' (NODE_NAME) read: the caller''s zone is {1}", env.apply("NODE_NAME").trim(),
          callerZone == null ? "unknown" : "'" + callerZone + "'");
      watches.forEach(watch -> watch.refresh(java.time.Duration.ZERO));
    }
  }

  /** The Node label holding its zone. */
  static final String ZONE_LABEL = "topology.kubernetes.io/zone";

  private void lookUpCallerZone() {
    String node = env.apply("NODE_NAME");
    if (node == null || node.isBlank()) {
      callerZoneKnown = true;
      return;
    }
    try {
      io.fabric8.kubernetes.api.model.Node n = client.nodes().withName(node.trim()).get();
      java.util.Map<String, String> labels = n == null ? null : n.getMetadata().getLabels();
      callerZone = labels == null ? null : labels.get(ZONE_LABEL);
      callerZoneKnown = true;
      if (callerZone == null) {
        System.getLogger(KubernetesDiscovery.class.getPackageName()).log(System.Logger.Level.WARNING,
            "Kubernetes Node ''{0}'' (NODE_NAME) {1}: the caller''s zone is unknown", node,
            n == null ? "does not exist" : "has no " + ZONE_LABEL + " label");
      }
    } catch (RuntimeException e) {
      if (!callerZoneFailed) { // said once: the probe tries again every few seconds
        System.getLogger(KubernetesDiscovery.class.getPackageName()).log(System.Logger.Level.WARNING,
            "Kubernetes Node ''{0}'' (NODE_NAME) cannot be read ({1}); reading it needs a ClusterRole with get on "
                + "nodes; the caller''s zone is unknown for now, and the Node is read again while the API server "
                + "answers", node, Failures.describe(e));
      }
      callerZoneFailed = true;
    }
  }

  /** Stops every watch and closes the client. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    probe.close();
    Set.copyOf(watches).forEach(SliceWatch::close);
    synchronized (this) {
      if (pods != null) {
        pods.close();
      }
    }
    client.close();
    retryAfter.close();
  }

  @Override
  public String toString() {
    return "KubernetesDiscovery[" + client.getMasterUrl() + ", namespace=" + namespace + "]";
  }
}
