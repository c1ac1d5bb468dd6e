package io.meshclient.discovery.kubernetes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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

  /** Registers the gauges of services already seen; meters of later services register as they come. */
  @Override
  public void bindTo(MeterRegistry meterRegistry) {
    this.registry = Objects.requireNonNull(meterRegistry, "meterRegistry");
    services.values().forEach(state -> state.registerGauges(meterRegistry));
  }

  @Override
  public void onWatchStarted(String service) {
    state(service);
  }

  @Override
  public void onResponse(String service, Duration latency, int instanceCount) {
    ServiceState state = state(service);
    state.instances.set(instanceCount);
    MeterRegistry r = registry;
    if (r != null) {
      state.lastAnswerNanos.set(r.config().clock().monotonicTime());
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
      ServiceState state = new ServiceState(s);
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

    ServiceState(String service) {
      this.service = service;
    }

    void registerGauges(MeterRegistry r) {
      Gauge.builder(INSTANCES, instances, AtomicInteger::get).tag(TAG_SERVICE, service)
          .description("EndpointSlice endpoints that take traffic").strongReference(true).register(r);
      TimeGauge.builder(LAST_UPDATE_AGE, lastAnswerNanos, TimeUnit.NANOSECONDS, last -> age(r, last.get()))
          .tag(TAG_SERVICE, service).description("Time since the last EndpointSlice list or change")
          .strongReference(true).register(r);
    }

    private static double age(MeterRegistry r, long lastNanos) {
      return lastNanos == Long.MIN_VALUE ? Double.NaN : r.config().clock().monotonicTime() - lastNanos;
    }
  }
}
