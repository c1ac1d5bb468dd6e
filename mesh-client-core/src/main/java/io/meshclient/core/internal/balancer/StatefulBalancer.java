package io.meshclient.core.internal.balancer;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.ServiceInstance;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * A power-of-two-choices balancer: keeps {@link InstanceStats} per instance (rebuilt when it sees a new
 * instance list, on the discovery's thread when it can), draws two distinct instances and takes the
 * {@link #lighter} one.
 */
abstract class StatefulBalancer implements LoadBalancer, InstanceListListener {
  volatile InstanceTable table = InstanceTable.empty(); // package-private for tests
  /**
   * The statistics of the subset's whole list, ejected instances too. {@link #table} is the list picked
   * from (the candidates: without the ejected), and takes each instance's statistics from here: a call
   * that started on an instance before it was ejected is counted down on the same object whenever it
   * ends, so the instance does not come back with a count one too high (the call ended while it was out)
   * or, with fresh statistics, one too low (the call ended after it was back).
   */
  private volatile InstanceTable whole = InstanceTable.empty();

  /** Whether {@code b} scores lower than {@code a}; on the request path, so no allocation. */
  abstract boolean lighter(InstanceStats b, InstanceStats a);

  /** Of two distinct random instances, the one with the lower load (the first drawn on a tie). */
  final ServiceInstance pickOfTwo(List<ServiceInstance> instances, RandomGenerator random) {
    int n = instances.size();
    if (n == 1) {
      return instances.get(0);
    }
    InstanceTable t = table(instances);
    int a = random.nextInt(n);
    int b = random.nextInt(n - 1);
    if (b >= a) {
      b++;
    }
    return instances.get(lighter(t.at(b), t.at(a)) ? b : a);
  }

  /**
   * Builds the table of a subset's new list on the discovery's thread, so the first call after an update
   * does not (with no instance ejected, the candidates are that list itself).
   */
  @Override
  public void onInstances(List<ServiceInstance> all) {
    synchronized (this) {
      whole = whole.next(all, table);
    }
    if (all.size() > 1) {
      table(all);
    }
  }

  final InstanceTable table(List<ServiceInstance> instances) {
    InstanceTable t = table;
    if (t.instances != instances) {
      synchronized (this) {
        t = table;
        if (t.instances != instances) {
          t = t.next(instances, whole);
          table = t;
        }
      }
    }
    return t;
  }

  @Override
  public void onStart(ServiceInstance instance) {
    InstanceStats s = stats(instance);
    if (s != null) {
      s.inFlight.incrementAndGet();
    }
  }

  @Override
  public void onComplete(ServiceInstance instance, CallOutcome outcome, long latencyNanos) {
    InstanceStats s = stats(instance);
    if (s != null) {
      countDown(s.inFlight);
      observe(s, outcome, latencyNanos);
    }
  }

  /**
   * One call fewer, never below zero: an instance the discovery dropped and listed again while a call on it
   * ran comes back with new statistics, which never counted that call (at -1 least request would favour the
   * instance for good). Its count may read one low until its other calls end; never negative.
   */
  private static void countDown(AtomicInteger inFlight) {
    int n;
    do {
      n = inFlight.get();
    } while (n > 0 && !inFlight.compareAndSet(n, n - 1));
  }

  /** The statistics of {@code instance}: the candidates' table's, else (ejected now) the whole list's, else null. */
  private InstanceStats stats(ServiceInstance instance) {
    InstanceStats s = table.stats(instance);
    return s != null ? s : whole.stats(instance);
  }

  /** Hook for balancers that learn from latency. */
  void observe(InstanceStats stats, CallOutcome outcome, long latencyNanos) {}
}
