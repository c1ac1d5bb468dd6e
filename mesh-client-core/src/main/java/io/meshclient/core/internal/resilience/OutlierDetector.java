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

/**
 * Passive health of one service's instances (Envoy's consecutive-5xx and consecutive-gateway-failure
 * outlier detection). An instance that fails {@code consecutive-failures} times in a row, or has {@code
 * consecutive-gateway-errors} gateway errors in a row, is ejected for {@code base-ejection} times its
 * number of ejections, capped at {@code max-ejection}, unless that would eject more than {@code
 * max-ejected} percent of the service. Returns happen lazily: the request path notices that the earliest
 * return time has passed and calls {@link #expire}.
 *
 * <p>Slow, failure-percentage and success-rate ejection judge an instance against its peers over an
 * interval ({@link PeerJudgments}); their outliers are ejected the same way, within the same cap.
 *
 * <p>Recording a result is a map lookup and at most one atomic operation (a few more and a clock read with a
 * judgment against peers on); ejections and returns take a lock and bump {@link #version()}, which tells subsets to
 * recompute their healthy lists. Thread-safe.
 */
public final class OutlierDetector {
  private final String service;
  private final OutlierConfig config;
  private final Ticker ticker;
  private final EjectionListener listener;
  private final Map<String, InstanceHealth> byId = new ConcurrentHashMap<>();
  private volatile long version;
  private volatile long nextReturnNanos = Long.MAX_VALUE;
  /** Slow, failure-percentage and success-rate ejection: the judgments against the instance's peers. */
  private final PeerJudgments peers;
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
    this.peers = new PeerJudgments(config, ticker);
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
    InstanceHealth health = byId.get(instance.id()); // a lookup first: the creating lambda captures, so it allocates
    if (health == null) {
      Set<String> known = population;
      if (known != null && !known.contains(instance.id())) {
        return; // a call still in flight to an instance discovery has removed: there is nothing left to judge
      }
      health = byId.computeIfAbsent(instance.id(), id -> new InstanceHealth(instance));
    }
    if (peers.record(health, outcome, status, latencyNanos)) {
      judgePeers(serviceSize);
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

  private synchronized void tryEject(ServiceInstance instance, InstanceHealth health, int serviceSize) {
    long now = ticker.nanoTime();
    if (discarded || health.ejectedAt(now)) {
      return;
    }
    endEjection(instance.id(), health); // one that has ended unnoticed (no pick since) is reported returned first
    int ejected = 0;
    for (InstanceHealth h : byId.values()) {
      if (h.ejectedAt(now)) {
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

  /** Runs the judgments against peers that are due, ejecting their outliers within the cap. */
  private synchronized void judgePeers(int serviceSize) {
    peers.judge(ticker.nanoTime(), byId.values(), h -> tryEject(h.instance, h, serviceSize));
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
        Map.Entry<String, InstanceHealth> e = it.next();
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
  private void endEjection(String id, InstanceHealth health) {
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
    for (Map.Entry<String, InstanceHealth> e : byId.entrySet()) {
      InstanceHealth h = e.getValue();
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
    InstanceHealth h = byId.get(instanceId);
    return h != null && h.ejectedAt(now);
  }

  /** Instance ids ejected now, for diagnostics. */
  public List<String> ejected() {
    long now = ticker.nanoTime();
    List<String> out = new ArrayList<>();
    byId.forEach((id, h) -> {
      if (h.ejectedAt(now)) {
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
}
