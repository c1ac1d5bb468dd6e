package io.meshclient.core.internal.balancer;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.SlowStartConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Slow start over another balancer: a warming instance the delegate picks is kept with probability {@link
 * SlowStartConfig#factor} and otherwise the delegate picks again (at most {@value #MAX_TRIES} times), so
 * its share is {@code weight × factor} of what it would get, as Envoy's {@code slow_start_config}.
 *
 * <p>An instance starts warming when it appears in a list the balancer is given after its first one: new
 * (first seen after start-up) or returning (back from ejection or from not-ready). Instances are matched
 * across lists by id. Once every instance is warm, a pick costs one field read more than the delegate's;
 * while some warm up, an identity-map lookup, and a clock read and a random draw only when the instance
 * drawn is warming. No allocation either way; the table is rebuilt only when the
 * list changes.
 */
final class SlowStartBalancer implements LoadBalancer {
  static final int MAX_TRIES = 16;

  private final LoadBalancer delegate;
  private final SlowStartConfig config;
  private final Ticker ticker;
  private final RandomGenerator random;
  private volatile Warmup warmup;

  SlowStartBalancer(LoadBalancer delegate, SlowStartConfig config, Ticker ticker, RandomGenerator random) {
    this.delegate = delegate;
    this.config = config;
    this.ticker = ticker;
    this.random = random;
  }

  @Override
  public ServiceInstance pick(List<ServiceInstance> instances, RequestContext context) {
    ServiceInstance chosen = delegate.pick(instances, context);
    Warmup w = warmup(instances);
    if (w.allWarm) {
      return chosen;
    }
    // The clock is read only when a warming instance was drawn: most picks are of warm ones.
    long[] since = w.since.get(chosen);
    if (since == null) {
      return chosen;
    }
    long now = ticker.nanoTime();
    if (now - w.allWarmAt >= 0) {
      w.allWarm = true;
      return chosen;
    }
    RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
    for (int i = 0; i < MAX_TRIES; i++) {
      if (since == null || r.nextDouble() < config.factor(now - since[0])) {
        return chosen;
      }
      chosen = delegate.pick(instances, context);
      since = w.since.get(chosen);
    }
    return chosen;
  }

  private Warmup warmup(List<ServiceInstance> instances) {
    Warmup w = warmup;
    if (w == null || w.instances != instances) {
      synchronized (this) {
        w = warmup;
        if (w == null || w.instances != instances) {
          w = new Warmup(instances, w, ticker.nanoTime(), config.window().toNanos());
          warmup = w;
        }
      }
    }
    return w;
  }

  @Override
  public void onStart(ServiceInstance instance) {
    delegate.onStart(instance);
  }

  @Override
  public void onComplete(ServiceInstance instance, CallOutcome outcome, long latencyNanos) {
    delegate.onComplete(instance, outcome, latencyNanos);
  }

  /** When each warming instance of one list started warming; warm instances are absent. */
  private static final class Warmup {
    final List<ServiceInstance> instances;
    /** Warming start (element 0) of each instance still warming at build time, by identity. */
    final IdentityHashMap<ServiceInstance, long[]> since;
    /** Ids and warming starts, carried to the next list. */
    final Map<String, Long> startedById;
    /** When the last warming instance is warm. */
    final long allWarmAt;
    /**
     * Set once a pick saw the clock past {@link #allWarmAt}, so later picks skip the lookup; racy on
     * purpose: a pick that misses the write only does the lookup once more.
     */
    boolean allWarm;
    /** Every id in the list. */
    private final Set<String> ids;

    Warmup(List<ServiceInstance> instances, Warmup previous, long now, long window) {
      this.instances = instances;
      this.since = new IdentityHashMap<>();
      this.startedById = new HashMap<>();
      long last = now;
      for (ServiceInstance instance : instances) {
        Long started;
        if (previous == null) {
          continue; // present at start-up: warm
        } else if (previous.startedById.containsKey(instance.id())) {
          started = previous.startedById.get(instance.id());
        } else if (previous.present(instance.id())) {
          continue; // was in the last list and warm
        } else {
          started = now; // new or returning
        }
        if (now - started < window) {
          since.put(instance, new long[] {started});
          startedById.put(instance.id(), started);
          last = Math.max(last, started + window);
        }
      }
      this.allWarmAt = since.isEmpty() ? now : last;
      this.allWarm = since.isEmpty();
      this.ids = new HashSet<>();
      for (ServiceInstance instance : instances) {
        ids.add(instance.id());
      }
    }

    boolean present(String id) {
      return ids.contains(id);
    }
  }
}
