package io.meshclient.core.internal.resilience;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.OutlierConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passive health of one service's instances (Envoy's consecutive-5xx and consecutive-gateway-failure
 * outlier detection). An instance that fails {@code consecutive-failures} times in a row, or has {@code
 * consecutive-gateway-errors} gateway errors in a row, is ejected for {@code base-ejection} times its
 * number of ejections, capped at {@code max-ejection}, unless that would eject more than {@code
 * max-ejected} percent of the service. Returns happen lazily: the request path notices that the earliest
 * return time has passed and calls {@link #expire}.
 *
 * <p>With {@link OutlierConfig.SlowEjection} on, each response's latency is also summed per instance, and
 * the first call after each {@code interval} compares the instances' means under the lock and ejects those
 * over {@code factor} times the median (see {@link OutlierConfig.SlowEjection}). With failure-percentage or
 * success-rate ejection on, each call and each failure is counted per instance, and the first call after
 * each {@code interval} judges them (see {@link OutlierConfig.FailurePercentage}, {@link
 * OutlierConfig.SuccessRate}).
 *
 * <p>Recording a result is a map lookup and at most one atomic operation (three and a clock read with slow
 * ejection on); ejections and returns take a lock and bump {@link #version()}, which tells subsets to
 * recompute their healthy lists. Thread-safe.
 */
public final class OutlierDetector {
  private final String service;
  private final OutlierConfig config;
  private final Ticker ticker;
  private final EjectionListener listener;
  private final Map<String, Health> byId = new ConcurrentHashMap<>();
  private volatile long version;
  private volatile long nextReturnNanos = Long.MAX_VALUE;
  /** Slow ejection's settings, or null when it is off. */
  private final OutlierConfig.SlowEjection slow;
  private final long slowIntervalNanos;
  private volatile long nextComparisonNanos;
  /** Failure-percentage and success-rate settings, each null when off; both null: calls are not counted. */
  private final OutlierConfig.FailurePercentage failures;
  private final OutlierConfig.SuccessRate rates;
  private final long rateIntervalNanos;
  private volatile long nextRateJudgmentNanos;
  /**
   * The ids of the instances last given to {@link #retain}, or null before: results of calls still in flight
   * to an instance no longer among them are not recorded, or such an instance could be ejected after it left
   * and count against {@code max-ejection-percent} in place of one that is there.
   */
  private volatile Set<String> population;
  /** Set by {@link #discard()}: the mesh no longer uses this detector (guarded by this). */
  private boolean discarded;

  public OutlierDetector(String service, OutlierConfig config, Ticker ticker, EjectionListener listener) {
    this.service = service;
    this.config = config;
    this.ticker = ticker;
    this.listener = listener;
    this.slow = config.slowEjection().enabled() ? config.slowEjection() : null;
    this.slowIntervalNanos = slow == null ? 0 : Math.max(1, slow.interval().toNanos());
    this.nextComparisonNanos = slow == null ? 0 : ticker.nanoTime() + slowIntervalNanos;
    this.failures = config.failurePercentage().enabled() ? config.failurePercentage() : null;
    this.rates = config.successRate().enabled() ? config.successRate() : null;
    this.rateIntervalNanos = config.judgesRates() ? Math.max(1, config.interval().toNanos()) : 0;
    this.nextRateJudgmentNanos = config.judgesRates() ? ticker.nanoTime() + rateIntervalNanos : 0;
  }

  public OutlierConfig config() {
    return config;
  }

  /** Changes whenever an instance is ejected or returns. */
  public long version() {
    return version;
  }

  /** The earliest time (ticker nanos) an ejected instance returns, or {@code Long.MAX_VALUE}. */
  public long nextReturnNanos() {
    return nextReturnNanos;
  }

  /**
   * Records how an attempt on {@code instance} ended.
   *
   * @param status the response's status, or 0 when none arrived
   * @param serviceSize how many instances the service has now, for the max-ejected cap
   */
  public void onResult(ServiceInstance instance, CallOutcome outcome, int status, int serviceSize) {
    onResult(instance, outcome, status, -1, serviceSize);
  }

  /**
   * Records how an attempt on {@code instance} ended.
   *
   * @param status the response's status, or 0 when none arrived
   * @param latencyNanos how long the attempt took, or a negative number when not measured
   * @param serviceSize how many instances the service has now, for the max-ejected cap
   */
  public void onResult(ServiceInstance instance, CallOutcome outcome, int status, long latencyNanos,
      int serviceSize) {
    if (outcome == CallOutcome.CANCELLED) {
      return;
    }
    Health health = byId.get(instance.id()); // a lookup first: the creating lambda captures, so it allocates
    if (health == null) {
      Set<String> known = population;
      if (known != null && !known.contains(instance.id())) {
        return; // a call still in flight to an instance discovery has removed: there is nothing left to judge
      }
      health = byId.computeIfAbsent(instance.id(), id -> new Health(instance));
    }
    if (slow != null && status != 0 && latencyNanos >= 0) { // a response arrived: its latency is the instance's
      health.latencySum.addAndGet(latencyNanos);
      health.responses.incrementAndGet();
      long now = ticker.nanoTime();
      if (now - nextComparisonNanos >= 0) {
        compareLatencies(now, serviceSize);
      }
    }
    if (failures != null || rates != null) {
      health.calls.incrementAndGet();
      if (outcome.isFailure()) {
        health.failed.incrementAndGet();
      }
      long now = ticker.nanoTime();
      if (now - nextRateJudgmentNanos >= 0) {
        judgeRates(now, serviceSize);
      }
    }
    if (!outcome.isFailure()) {
      if (health.consecutiveFailures.get() != 0) {
        health.consecutiveFailures.set(0);
      }
      if (health.consecutiveGatewayErrors.get() != 0) {
        health.consecutiveGatewayErrors.set(0);
      }
      return;
    }
    boolean eject = false;
    int gatewayLimit = config.consecutiveGatewayErrors();
    if (gatewayLimit > 0) {
      // As Envoy: a failure that is not a gateway error (a 500) breaks the run of gateway errors.
      if (OutlierConfig.isGatewayError(outcome, status)) {
        eject = health.consecutiveGatewayErrors.incrementAndGet() >= gatewayLimit;
      } else if (health.consecutiveGatewayErrors.get() != 0) {
        health.consecutiveGatewayErrors.set(0);
      }
    }
    int limit = config.consecutiveFailures();
    if (limit > 0 && health.consecutiveFailures.incrementAndGet() >= limit) {
      eject = true;
    }
    if (eject) {
      tryEject(instance, health, serviceSize);
    }
  }

  private synchronized void tryEject(ServiceInstance instance, Health health, int serviceSize) {
    long now = ticker.nanoTime();
    if (discarded || health.ejectedUntil != 0 && health.ejectedUntil - now > 0) {
      return;
    }
    endEjection(instance.id(), health); // one that has ended unnoticed (no pick since) is reported returned first
    int ejected = 0;
    for (Health h : byId.values()) {
      if (h.ejectedUntil != 0 && h.ejectedUntil - now > 0) {
        ejected++;
      }
    }
    // As Envoy: one instance may always be ejected (unless the cap is 0), whatever share of the service it is.
    if (config.maxEjectedPercent() == 0
        || (ejected > 0 && (ejected + 1) * 100L > (long) config.maxEjectedPercent() * serviceSize)) {
      return;
    }
    health.ejections++;
    long nanos = Math.min(config.baseEjection().toNanos() * health.ejections, config.maxEjection().toNanos());
    health.ejectedUntil = now + Math.max(1, nanos);
    health.consecutiveFailures.set(0);
    health.consecutiveGatewayErrors.set(0);
    if (health.ejectedUntil - nextReturnNanos < 0 || nextReturnNanos == Long.MAX_VALUE) {
      nextReturnNanos = health.ejectedUntil;
    }
    version++;
    listener.onEjected(service, instance, nanos);
  }

  /**
   * Slow ejection: the mean latency of each instance not ejected, over the responses since the last
   * comparison, against the median of those means (the lower one of an even count). The sums are reset
   * here; a response recorded while this runs may be counted in either interval.
   */
  private synchronized void compareLatencies(long now, int serviceSize) {
    if (now - nextComparisonNanos < 0) {
      return; // another caller compared first
    }
    nextComparisonNanos = now + slowIntervalNanos;
    List<Health> judged = new ArrayList<>();
    double[] means = new double[byId.size()];
    for (Health h : byId.values()) {
      int count = h.responses.getAndSet(0);
      long sum = h.latencySum.getAndSet(0);
      if (count >= slow.minRequests() && !(h.ejectedUntil != 0 && h.ejectedUntil - now > 0)
          && judged.size() < means.length) { // an instance first seen during this loop waits for the next
        means[judged.size()] = (double) sum / count;
        judged.add(h);
      }
    }
    if (judged.size() < slow.minInstances()) {
      return;
    }
    double[] sorted = java.util.Arrays.copyOf(means, judged.size());
    java.util.Arrays.sort(sorted);
    double limit = sorted[(sorted.length - 1) / 2] * slow.factor();
    for (int i = 0; i < judged.size(); i++) {
      if (means[i] > limit) {
        tryEject(judged.get(i).instance, judged.get(i), serviceSize);
      }
    }
  }

  /**
   * Failure-percentage and success-rate ejection (Envoy's): the calls and failures of each instance not
   * ejected, since the last judgment, are judged and reset. Failure percentage first: an instance with at
   * least {@code min-requests} calls of which at least {@code threshold} percent failed is ejected. Then,
   * among the instances still in, the success rates of those with {@code min-requests} calls: one below the
   * mean minus {@code stdev-factor} population standard deviations is ejected. Each needs {@code
   * min-instances} instances with enough calls to judge any; ejections respect {@code max-ejected}.
   */
  private synchronized void judgeRates(long now, int serviceSize) {
    if (now - nextRateJudgmentNanos < 0) {
      return; // another caller judged first
    }
    nextRateJudgmentNanos = now + rateIntervalNanos;
    List<Health> judged = new ArrayList<>(byId.size());
    List<long[]> counts = new ArrayList<>(byId.size()); // {calls, failed}
    for (Health h : byId.values()) {
      int calls = h.calls.getAndSet(0);
      int failed = h.failed.getAndSet(0);
      if (calls > 0 && !(h.ejectedUntil != 0 && h.ejectedUntil - now > 0)) {
        judged.add(h);
        counts.add(new long[] {calls, Math.min(failed, calls)}); // a call counted across the reset
      }
    }
    if (failures != null && volume(counts, failures.minRequests()) >= failures.minInstances()) {
      for (int i = 0; i < judged.size(); i++) {
        long[] c = counts.get(i);
        if (c[0] >= failures.minRequests() && c[1] * 100 >= (long) failures.threshold() * c[0]) {
          tryEject(judged.get(i).instance, judged.get(i), serviceSize);
        }
      }
    }
    if (rates != null && volume(counts, rates.minRequests()) >= rates.minInstances()) {
      double sum = 0;
      double squares = 0;
      int n = 0;
      for (long[] c : counts) {
        if (c[0] >= rates.minRequests()) {
          double rate = (double) (c[0] - c[1]) / c[0];
          sum += rate;
          squares += rate * rate;
          n++;
        }
      }
      double mean = sum / n;
      double limit = mean - rates.stdevFactor() * Math.sqrt(Math.max(0, squares / n - mean * mean));
      for (int i = 0; i < judged.size(); i++) {
        long[] c = counts.get(i);
        Health h = judged.get(i);
        if (c[0] >= rates.minRequests() && (double) (c[0] - c[1]) / c[0] < limit
            && !(h.ejectedUntil != 0 && h.ejectedUntil - now > 0)) {
          tryEject(h.instance, h, serviceSize);
        }
      }
    }
  }

  /** How many of {@code counts} have at least {@code minRequests} calls. */
  private static int volume(List<long[]> counts, int minRequests) {
    int n = 0;
    for (long[] c : counts) {
      if (c[0] >= minRequests) {
        n++;
      }
    }
    return n;
  }

  /**
   * Forgets the instances that are not in {@code current}, the detector's whole population after a
   * discovery update: an instance gone while ejected no longer counts against {@code max-ejection-percent}
   * (which would keep a failing instance that replaced it from being ejected), and the state of instances
   * that come and go (a Kubernetes pod per deployment) does not pile up; results that arrive later for an
   * instance gone are not recorded. An empty list changes nothing: a
   * discovery that lists no instance for a moment does not end the ejections of those that come back.
   * Runs on the discovery's thread.
   */
  public void retain(List<ServiceInstance> current) {
    if (current.isEmpty()) {
      return;
    }
    Set<String> ids = new HashSet<>(current.size() * 2);
    for (ServiceInstance instance : current) {
      ids.add(instance.id());
    }
    population = ids;
    if (byId.isEmpty()) {
      return;
    }
    synchronized (this) {
      boolean changed = false;
      for (var it = byId.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, Health> e = it.next();
        if (!ids.contains(e.getKey())) {
          it.remove();
          endEjection(e.getKey(), e.getValue());
          changed = true;
        }
      }
      if (changed) {
        version++; // the cached candidates are recomputed, with the ejected count of the instances left
      }
    }
  }

  /**
   * Ends every ejection, for a detector the mesh drops (its service removed, or its settings replaced by a
   * reload): each ejected instance is reported returned, so the "ejected now" count holds only the
   * ejections in force. Results recorded afterwards, by calls still in flight, eject nothing.
   */
  public synchronized void discard() {
    discarded = true;
    byId.forEach(this::endEjection);
  }

  /**
   * Ends {@code health}'s ejection, if it has one not yet reported returned, and reports it returned; the
   * cached candidates are recomputed. Called holding this detector's lock.
   */
  private void endEjection(String id, Health health) {
    if (health.ejectedUntil != 0) {
      health.ejectedUntil = 0;
      version++;
      listener.onReturned(service, id);
    }
  }

  /** Returns every instance whose ejection time has passed. */
  public synchronized void expire(long now) {
    long next = Long.MAX_VALUE;
    boolean changed = false;
    for (Map.Entry<String, Health> e : byId.entrySet()) {
      Health h = e.getValue();
      if (h.ejectedUntil == 0) {
        continue;
      }
      if (h.ejectedUntil - now <= 0) {
        h.ejectedUntil = 0;
        changed = true;
        listener.onReturned(service, e.getKey());
      } else if (next == Long.MAX_VALUE || h.ejectedUntil - next < 0) {
        next = h.ejectedUntil;
      }
    }
    nextReturnNanos = next;
    if (changed) {
      version++;
    }
  }

  /** Whether {@code instanceId} is ejected at {@code now}. */
  public boolean isEjected(String instanceId, long now) {
    Health h = byId.get(instanceId);
    return h != null && h.ejectedUntil != 0 && h.ejectedUntil - now > 0;
  }

  /** Instance ids ejected now, for diagnostics. */
  public List<String> ejected() {
    long now = ticker.nanoTime();
    List<String> out = new ArrayList<>();
    byId.forEach((id, h) -> {
      if (h.ejectedUntil != 0 && h.ejectedUntil - now > 0) {
        out.add(id);
      }
    });
    return out;
  }

  /**
   * The instances of {@code all} that may take traffic at {@code now}: the healthy ones, or all of
   * them when fewer than {@code panic-threshold} percent are healthy (panic mode).
   */
  public List<ServiceInstance> healthy(List<ServiceInstance> all, long now) {
    List<ServiceInstance> healthy = new ArrayList<>(all.size());
    for (ServiceInstance instance : all) {
      if (!isEjected(instance.id(), now)) {
        healthy.add(instance);
      }
    }
    if (healthy.size() == all.size()) {
      return all;
    }
    if (healthy.size() * 100L < (long) config.panicThresholdPercent() * all.size()) {
      return all;
    }
    return List.copyOf(healthy);
  }

  private static final class Health {
    /** The instance as first recorded, for the ejection event of a slow ejection. */
    final ServiceInstance instance;
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    final AtomicInteger consecutiveGatewayErrors = new AtomicInteger();
    final AtomicLong latencySum = new AtomicLong();
    final AtomicInteger responses = new AtomicInteger();
    /** Calls and failed calls since the last failure-percentage or success-rate judgment. */
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    int ejections;
    volatile long ejectedUntil;

    Health(ServiceInstance instance) {
      this.instance = instance;
    }
  }
}
