package io.meshclient.core.internal.metrics;

import io.meshclient.api.CallOutcome;
import io.meshclient.core.MeshListener;
import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns mesh events into Micrometer meters. Meters are created on first use and then found again without
 * allocating: a copy-on-write table per service and subset, keyed by method, status and outcome.
 * Thread-safe.
 */
public final class MeshMetrics implements MeshListener {
  private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"};

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, TimerTable>> timers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> rateLimited = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> concurrencyLimited = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> retries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> budgetExhausted = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> breakerRejected = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> ejections = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> ejected = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> faults = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> hedges = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> rejectedInstances = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> mirrors = new ConcurrentHashMap<>();

  /** Every meter this binder registered, removed by {@link #close()}. */
  private final Queue<Meter> registered = new ConcurrentLinkedQueue<>();
  /** Set by {@link #close()}: a meter registered later, by a call that ends after the close, is removed at once. */
  private volatile boolean closed;

  private final Counter reconfigurationsApplied;
  private final Counter reconfigurationsRefused;

  public MeshMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.reconfigurationsApplied = reconfigurations("applied");
    this.reconfigurationsRefused = reconfigurations("refused");
  }

  private <M extends Meter> M track(M meter) {
    registered.add(meter);
    if (closed) {
      close(); // after the close (a call cancelled by it ends later): recorded into, but not left registered
    }
    return meter;
  }

  /**
   * Removes the meters this binder registered from the registry (a closed mesh leaves none behind, and
   * a mesh built after it on the same registry registers its own). Meshes open at the same time on one
   * registry share meters of the same name and tags: closing one removes them for both. A meter a call
   * ending after the close registers is removed as soon as it is registered.
   */
  public void close() {
    closed = true;
    for (Meter meter; (meter = registered.poll()) != null; ) {
      registry.remove(meter);
    }
  }

  /** Both results registered at once, so a refusal shows as a step from 0 that an alert can fire on. */
  private Counter reconfigurations(String result) {
    return track(Counter.builder(MeshMetricNames.RECONFIGURATIONS)
        .description("Mesh configurations swapped in, or refused with the old one kept in force")
        .tag(MeshMetricNames.RESULT, result).register(registry));
  }

  @Override
  public void onCallComplete(String service, String subset, String method, int status, CallOutcome outcome,
      long durationNanos) {
    String subsetTag = subset != null ? subset : MeshMetricNames.ALL_INSTANCES;
    TimerTable table = timers.computeIfAbsent(service, s -> new ConcurrentHashMap<>())
        .computeIfAbsent(subsetTag, s -> new TimerTable());
    int methodIndex = methodIndex(method);
    long key = ((long) methodIndex << 32) | ((long) status << 8) | (status == 0 ? outcome.ordinal() : 0xff);
    Timer timer = table.find(key);
    if (timer == null) {
      timer = table.add(key, track(Timer.builder(MeshMetricNames.REQUESTS)
          .description("Calls through the mesh, after retries")
          .tag(MeshMetricNames.SERVICE, service)
          .tag(MeshMetricNames.SUBSET, subsetTag)
          .tag(MeshMetricNames.METHOD, methodIndex < METHODS.length ? METHODS[methodIndex] : "OTHER")
          .tag(MeshMetricNames.STATUS, status == 0 ? "CLIENT_ERROR" : Integer.toString(status))
          .tag(MeshMetricNames.OUTCOME, outcomeTag(status))
          .tag(MeshMetricNames.ERROR, status == 0 ? outcome.name().toLowerCase(Locale.ROOT).replace('_', '-') : "none")
          .register(registry)));
    }
    timer.record(durationNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onRateLimited(String service, String limiter) {
    rateLimited.computeIfAbsent(service, s -> new ConcurrentHashMap<>())
        .computeIfAbsent(limiter, l -> track(Counter.builder(MeshMetricNames.RATE_LIMITED)
            .description("Calls refused by a rate limit before any I/O")
            .tag(MeshMetricNames.SERVICE, service).tag(MeshMetricNames.LIMITER, l).register(registry)))
        .increment();
  }

  @Override
  public void onConcurrencyLimited(String service) {
    concurrencyLimited.computeIfAbsent(service, s -> track(Counter.builder(MeshMetricNames.CONCURRENCY_LIMITED)
            .description("Calls refused by max-concurrent-requests before any I/O")
            .tag(MeshMetricNames.SERVICE, s).register(registry)))
        .increment();
  }

  @Override
  public void onRetry(String service, String reason) {
    retries.computeIfAbsent(service, s -> new ConcurrentHashMap<>())
        .computeIfAbsent(reason, r -> track(Counter.builder(MeshMetricNames.RETRIES)
            .description("Attempts sent again")
            .tag(MeshMetricNames.SERVICE, service).tag(MeshMetricNames.REASON, r).register(registry)))
        .increment();
  }

  @Override
  public void onHedge(String service, String route) {
    hedges.computeIfAbsent(service + '\u0000' + route, k -> track(Counter.builder(MeshMetricNames.HEDGES)
            .description("Hedged copies sent because the first attempt had not answered")
            .tag(MeshMetricNames.SERVICE, service).tag(MeshMetricNames.ROUTE, route).register(registry)))
        .increment();
  }

  @Override
  public void onRetryBudgetExhausted(String service) {
    serviceCounter(budgetExhausted, MeshMetricNames.RETRY_BUDGET_EXHAUSTED, "Retries refused by the retry budget",
        service).increment();
  }

  @Override
  public void onBreakerRejected(String service) {
    serviceCounter(breakerRejected, MeshMetricNames.BREAKER_REJECTED, "Attempts refused by an open circuit breaker",
        service).increment();
  }

  @Override
  public void onEjected(String service, String instanceId, long nanos) {
    serviceCounter(ejections, MeshMetricNames.EJECTIONS, "Instances ejected by outlier detection", service)
        .increment();
    ejectedGauge(service).incrementAndGet();
  }

  @Override
  public void onReturned(String service, String instanceId) {
    ejectedGauge(service).decrementAndGet();
  }

  @Override
  public void onInstanceRejected(String service, String instanceId, String reason) {
    serviceCounter(rejectedInstances, MeshMetricNames.INSTANCES_REJECTED,
        "Discovered instances dropped for an address outside the allow-list", service).increment();
  }

  @Override
  public void onMirror(String service, String route, String result) {
    mirrors.computeIfAbsent(service + '\u0000' + route + '\u0000' + result, k -> track(Counter.builder(MeshMetricNames.MIRRORS)
            .description("Copies of requests mirrored, by result")
            .tag(MeshMetricNames.SERVICE, service).tag(MeshMetricNames.ROUTE, route)
            .tag(MeshMetricNames.RESULT, result).register(registry)))
        .increment();
  }

  @Override
  public void onFaultInjected(String service, String route, String kind) {
    faults.computeIfAbsent(service + '\u0000' + route + '\u0000' + kind, k -> track(Counter.builder(MeshMetricNames.FAULTS)
            .description("Faults injected by route fault settings")
            .tag(MeshMetricNames.SERVICE, service).tag(MeshMetricNames.ROUTE, route).tag(MeshMetricNames.KIND, kind)
            .register(registry)))
        .increment();
  }

  /**
   * Removes every meter tagged with {@code service} from the registry and forgets it: services that come and
   * go do not pile up meters. A call still in flight to it registers the meter it records to again.
   */
  @Override
  public void onServiceRemoved(String service) {
    String prefix = service + '\u0000';
    for (Map<String, ?> byService : List.of(timers, rateLimited, concurrencyLimited, retries, budgetExhausted,
        breakerRejected, ejections, ejected, rejectedInstances)) {
      byService.remove(service);
    }
    for (Map<String, ?> byKey : List.of(hedges, mirrors, faults)) {
      byKey.keySet().removeIf(key -> key.startsWith(prefix));
    }
    registered.removeIf(meter -> {
      if (service.equals(meter.getId().getTag(MeshMetricNames.SERVICE))) {
        registry.remove(meter);
        return true;
      }
      return false;
    });
  }

  @Override
  public void onReconfigure(boolean applied) {
    (applied ? reconfigurationsApplied : reconfigurationsRefused).increment();
  }

  private Counter serviceCounter(ConcurrentHashMap<String, Counter> counters, String name, String description,
      String service) {
    return counters.computeIfAbsent(service, s -> track(Counter.builder(name).description(description)
        .tag(MeshMetricNames.SERVICE, s).register(registry)));
  }

  private AtomicInteger ejectedGauge(String service) {
    return ejected.computeIfAbsent(service, s -> {
      AtomicInteger value = new AtomicInteger();
      track(Gauge.builder(MeshMetricNames.EJECTED, value, AtomicInteger::get)
          .description("Instances ejected now").tag(MeshMetricNames.SERVICE, s).register(registry));
      return value;
    });
  }

  private static int methodIndex(String method) {
    for (int i = 0; i < METHODS.length; i++) {
      if (METHODS[i].equals(method)) {
        return i;
      }
    }
    return METHODS.length;
  }

  private static String outcomeTag(int status) {
    if (status == 0) {
      return "UNKNOWN";
    }
    if (status < 200) {
      return "INFORMATIONAL";
    }
    if (status < 300) {
      return "SUCCESS";
    }
    if (status < 400) {
      return "REDIRECTION";
    }
    return status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
  }

  /** A small copy-on-write map from a long key to a timer; lookups scan an array and allocate nothing. */
  private static final class TimerTable {
    private volatile Entry[] entries = new Entry[0];

    Timer find(long key) {
      for (Entry e : entries) {
        if (e.key == key) {
          return e.timer;
        }
      }
      return null;
    }

    synchronized Timer add(long key, Timer timer) {
      Timer existing = find(key);
      if (existing != null) {
        return existing;
      }
      Entry[] current = entries;
      Entry[] next = java.util.Arrays.copyOf(current, current.length + 1);
      next[current.length] = new Entry(key, timer);
      entries = next;
      return timer;
    }

    private record Entry(long key, Timer timer) {}
  }
}
