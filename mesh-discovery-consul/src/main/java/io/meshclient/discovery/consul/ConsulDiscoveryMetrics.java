package io.meshclient.discovery.consul;

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
 * Micrometer meters for Consul watches, tagged by {@value #TAG_SERVICE}. Pass it to {@link
 * ConsulDiscoveryProvider#ConsulDiscoveryProvider(ConsulWatchListener)} and {@link #bindTo bind} it to a
 * registry; every meter name lives in this class.
 *
 * <ul>
 *   <li>{@value #WATCH_LATENCY} (timer): duration of each answered query, the blocking time included
 *   <li>{@value #WATCH_ERRORS} (counter, also tagged {@value #TAG_FAILURE}): failed queries
 *   <li>{@value #INSTANCES} (gauge): passing instances in the last answer
 *   <li>{@value #LAST_UPDATE_AGE} (time gauge, seconds): time since the last answered query; NaN before
 *       the first
 * </ul>
 *
 * Requires {@code io.micrometer:micrometer-core}, an optional dependency of this module. Answers that
 * arrive before {@link #bindTo} count only toward the instance gauge. Thread-safe.
 */
public final class ConsulDiscoveryMetrics implements ConsulWatchListener, MeterBinder {
  /** Timer of answered queries. */
  public static final String WATCH_LATENCY = "mesh.discovery.consul.watch.latency";
  /** Counter of failed queries. */
  public static final String WATCH_ERRORS = "mesh.discovery.consul.watch.errors";
  /** Gauge of passing instances. */
  public static final String INSTANCES = "mesh.discovery.consul.instances";
  /** Time gauge of the time since the last answered query. */
  public static final String LAST_UPDATE_AGE = "mesh.discovery.consul.last.update.age";
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
  public ConsulDiscoveryMetrics() {
    this(false);
  }

  private ConsulDiscoveryMetrics(boolean owned) {
    this.owned = owned;
  }

  /**
   * The meters of a discovery the mesh creates from configuration, bound to the mesh's {@code registry} (a
   * {@code MeterRegistry}; typed {@code Object} so that the provider loads no Micrometer class without one).
   */
  static ConsulWatchListener ownedBy(Object registry) {
    ConsulDiscoveryMetrics metrics = new ConsulDiscoveryMetrics(true);
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
      Timer.builder(WATCH_LATENCY).tag(TAG_SERVICE, service)
          .description("Duration of answered Consul health queries, blocking time included")
          .register(r).record(latency);
    }
  }

  @Override
  public void onFailure(String service, Duration latency, Failure failure) {
    MeterRegistry r = registry;
    if (r != null) {
      Counter.builder(WATCH_ERRORS).tag(TAG_SERVICE, service)
          .tag(TAG_FAILURE, failure.name().toLowerCase(Locale.ROOT))
          .description("Failed Consul health queries").register(r).increment();
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
          .description("Passing instances in Consul's last answer").strongReference(true).register(r));
      gauges.add(TimeGauge.builder(LAST_UPDATE_AGE, lastAnswerNanos, TimeUnit.NANOSECONDS, last -> age(r, last.get()))
          .tag(TAG_SERVICE, service).description("Time since Consul last answered a health query")
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
