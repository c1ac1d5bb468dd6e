package io.meshclient.discovery.consul;

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
          .description("Passing instances in Consul's last answer").strongReference(true).register(r);
      TimeGauge.builder(LAST_UPDATE_AGE, lastAnswerNanos, TimeUnit.NANOSECONDS, last -> age(r, last.get()))
          .tag(TAG_SERVICE, service).description("Time since Consul last answered a health query")
          .strongReference(true).register(r);
    }

    private static double age(MeterRegistry r, long lastNanos) {
      return lastNanos == Long.MIN_VALUE ? Double.NaN : r.config().clock().monotonicTime() - lastNanos;
    }
  }
}
