package io.meshclient.core.internal.balancer;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.LocalityConfig;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Zone-aware routing over per-level balancers: sorts a subset's instances into {@link LocalityLevels},
 * draws a level by its share of traffic and lets that level's own balancer pick (one per level, so that
 * each keeps its state for one stable list). Levels are rebuilt only when the candidates or the subset's
 * instances change; a pick is one random draw, a scan of at most a few cumulative shares and the level
 * balancer's pick, without allocation.
 */
final class LocalityBalancer implements LoadBalancer, InstanceListListener {
  private final LocalityConfig config;
  private final LoadBalancer[] levelBalancers;
  private final RandomGenerator random;
  private volatile List<ServiceInstance> all = List.of();
  private volatile LocalityLevels levels;

  LocalityBalancer(LocalityConfig config, Supplier<LoadBalancer> balancers, RandomGenerator random) {
    this.config = config;
    this.levelBalancers = new LoadBalancer[LocalityLevels.count(config)];
    for (int i = 0; i < levelBalancers.length; i++) {
      levelBalancers[i] = balancers.get();
    }
    this.random = random;
  }

  @Override
  public void onInstances(List<ServiceInstance> instances) {
    all = instances;
  }

  @Override
  public ServiceInstance pick(List<ServiceInstance> candidates, RequestContext context) {
    LocalityLevels l = levels(candidates);
    int level = l.only;
    if (level < 0) {
      double r = (random != null ? random : ThreadLocalRandom.current()).nextDouble();
      double[] cumulative = l.cumulative;
      level = 0;
      while (level < cumulative.length - 1 && r >= cumulative[level]) {
        level++;
      }
    }
    return levelBalancers[level].pick(l.lists[level], context);
  }

  private LocalityLevels levels(List<ServiceInstance> candidates) {
    LocalityLevels l = levels;
    List<ServiceInstance> everyone = all;
    if (l == null || l.candidates != candidates || l.all != everyone) {
      synchronized (this) {
        l = levels;
        if (l == null || l.candidates != candidates || l.all != everyone) {
          l = new LocalityLevels(config, candidates, everyone.isEmpty() ? candidates : everyone);
          levels = l;
        }
      }
    }
    return l;
  }

  /** The share of calls each level takes now, in percent; for tests and diagnostics. */
  double[] shares(List<ServiceInstance> candidates) {
    return levels(candidates).shares();
  }

  @Override
  public void onStart(ServiceInstance instance) {
    for (LoadBalancer b : levelBalancers) {
      b.onStart(instance);
    }
  }

  @Override
  public void onComplete(ServiceInstance instance, CallOutcome outcome, long latencyNanos) {
    for (LoadBalancer b : levelBalancers) {
      b.onComplete(instance, outcome, latencyNanos);
    }
  }
}
