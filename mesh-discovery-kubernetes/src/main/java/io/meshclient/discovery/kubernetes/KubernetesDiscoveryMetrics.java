package io.meshclient.discovery.kubernetes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer meters for Kubernetes EndpointSlice watches, the same as Consul's, tagged by {@value #TAG_SERVICE}. Pass it to {@link
 * KubernetesDiscoveryProvider#KubernetesDiscoveryProvider(KubernetesWatchListener)} and {@link #bindTo bind} it to a
 * registry; every meter name lives in this class.
 *
 * <ul>
 *   <li>{@value #WATCH_LATENCY} (timer): duration of each list (the first, and each relist after a
 *       dropped watch or {@code 410 Gone})
 *   <li>{@value #WATCH_ERRORS} (counter, also tagged {@value #TAG_FAILURE}): failed lists and watches
 *   <li>{@value #INSTANCES} (gauge): instances that take traffic, as last seen
 *   <li>{@value #LAST_UPDATE_AGE} (time gauge, seconds): time since the last list or change; NaN before
 *       the first
 * </ul>
 *
 * Requires {@code io.micrometer:micrometer-core}, an optional dependency of this module. Events that
 * arrive before {@link #bindTo} count only toward the instance gauge. Thread-safe.
 */
public final class KubernetesDiscoveryMetrics implements KubernetesWatchListener, MeterBinder {
  /** Timer of lists. */
  public static final String WATCH_LATENCY = "mesh.discovery.kubernetes.watch.latency";
  /** Counter of failed lists and watches. */
  public static final String WATCH_ERRORS = "mesh.discovery.kubernetes.watch.errors";
  /** Gauge of instances that take traffic. */
  public static final String INSTANCES = "mesh.discovery.kubernetes.instances";
  /** Time gauge of the time since the last list or change. */
  public static final String LAST_UPDATE_AGE = "mesh.discovery.kubernetes.last.update.age";
  /** Tag: the watched service. */
  public static final String TAG_SERVICE = "service";
  /** Tag of {@value #WATCH_ERRORS}: a {@link Failure} in lower case, such as {@code connect}. */
  public static final String TAG_FAILURE = "failure";

  private final ConcurrentMap<String, ServiceState> services = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  /**
   * Whether these meters belong to one discovery the mesh created from configuration: a service's gauges
   * then replace any of the same name and tags (those of the discovery a reload replaces) and are removed
   * when the service's last watch stops, the discovery's close included.
   */
  private final boolean owned;

  /** Meters that record nothing until {@link #bindTo bound}. */
  public KubernetesDiscoveryMetrics() {
    this(false);
  }

  private KubernetesDiscoveryMetrics(boolean owned) {
    this.owned = owned;
  }

  /**
   * The meters of a discovery the mesh creates from configuration, bound to the mesh's {@code registry} (a
   * {@code MeterRegistry}; typed {@code Object} so that the provider loads no Micrometer class without one).
   */
  static KubernetesWatchListener ownedBy(Object registry) {
    KubernetesDiscoveryMetrics metrics = new KubernetesDiscoveryMetrics(true);
    metrics.bindTo((MeterRegistry) registry);
    return metrics;
  }

  /** Registers the gauges of services already seen; meters of later services register as they come. */
  @Override
  public void bindTo(MeterRegistry meterRegistry) {
    this.registry = Objects.requireNonNull(meterRegistry, "meterRegistry");
    services.values().forEach(state -> state.registerGauges(meterRegistry));
  }

  @Override
  public void onWatchStarted(String service) {
    state(service).watches.incrementAndGet();
  }

  @Override
  public void onWatchStopped(String service) {
    ServiceState state = services.get(service);
    MeterRegistry r = registry;
    if (owned && state != null && state.watches.decrementAndGet() <= 0 && services.remove(service, state)
        && r != null) {
      state.removeGauges(r);
    }
  }

  @Override
  public void onResponse(String service, Duration latency, int instanceCount) {
    ServiceState state = owned ? services.get(service) : state(service); // owned: gauges only while watched
    MeterRegistry r = registry;
    if (state != null) {
      state.instances.set(instanceCount);
      if (r != null) {
        state.lastAnswerNanos.set(r.config().clock().monotonicTime());
      }
    }
    if (r != null) {
      if (!latency.isZero()) {
        Timer.builder(WATCH_LATENCY).tag(TAG_SERVICE, service)
            .description("Duration of EndpointSlice lists and relists")
            .register(r).record(latency);
      }
    }
  }

  @Override
  public void onFailure(String service, Failure failure) {
    MeterRegistry r = registry;
    if (r != null) {
      Counter.builder(WATCH_ERRORS).tag(TAG_SERVICE, service)
          .tag(TAG_FAILURE, failure.name().toLowerCase(Locale.ROOT))
          .description("Failed EndpointSlice lists and watches").register(r).increment();
    }
  }

  private ServiceState state(String service) {
    return services.computeIfAbsent(service, s -> {
      ServiceState state = new ServiceState(s, owned);
      MeterRegistry r = registry;
      if (r != null) {
        state.registerGauges(r);
      }
      return state;
    });
  }

  private static final class ServiceState {
    final String service;
    final AtomicInteger instances = new AtomicInteger();
    final AtomicLong lastAnswerNanos = new AtomicLong(Long.MIN_VALUE);
    final AtomicInteger watches = new AtomicInteger();
    final boolean owned;
    final List<Meter> gauges = new CopyOnWriteArrayList<>();

    ServiceState(String service, boolean owned) {
      this.service = service;
      this.owned = owned;
    }

    void registerGauges(MeterRegistry r) {
      if (owned) { // the gauges of the discovery this one replaces read a state that no longer moves
        r.find(INSTANCES).tag(TAG_SERVICE, service).meters().forEach(r::remove);
        r.find(LAST_UPDATE_AGE).tag(TAG_SERVICE, service).meters().forEach(r::remove);
      }
      gauges.add(Gauge.builder(INSTANCES, instances, AtomicInteger::get).tag(TAG_SERVICE, service)
          .description("EndpointSlice endpoints that take traffic").strongReference(true).register(r));
      gauges.add(TimeGauge.builder(LAST_UPDATE_AGE, lastAnswerNanos, TimeUnit.NANOSECONDS, last -> age(r, last.get()))
          .tag(TAG_SERVICE, service).description("Time since the last EndpointSlice list or change")
          .strongReference(true).register(r));
    }

    /** Removes the gauges registered above that are still in {@code r}, not those that have replaced them. */
    void removeGauges(MeterRegistry r) {
      for (Meter gauge : gauges) {
        // By identity: meters are equal by id, and a gauge that replaced this one has its id
        if (r.find(gauge.getId().getName()).tags(gauge.getId().getTags()).meters().stream().anyMatch(m -> m == gauge)) {
          r.remove(gauge);
        }
      }
      gauges.clear();
    }

    private static double age(MeterRegistry r, long lastNanos) {
      return lastNanos == Long.MIN_VALUE ? Double.NaN : r.config().clock().monotonicTime() - lastNanos;
    }
  }
}
