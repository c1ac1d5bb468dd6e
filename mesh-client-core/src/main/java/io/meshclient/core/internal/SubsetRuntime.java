package io.meshclient.core.internal;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.internal.balancer.InstanceListListener;
import io.meshclient.core.internal.resilience.OutlierDetector;
import io.meshclient.core.internal.tls.SubsetTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The instances of one subset (or of the whole service, when {@code name} is null) and the balancer that
 * picks among them. Immutable; a discovery update makes a new one with the same balancer.
 */
public final class SubsetRuntime {
  final String name;
  final Map<String, String> selector;
  final List<ServiceInstance> instances;
  final LoadBalancer balancer;
  private final SubsetPolicy policy;
  /** How many instances the detector's max-ejected share is of: the subset's with its own detector. */
  private final int detectorPopulation;
  /** Whether the service's calls go over TLS: then so do this subset's, unless its policy says otherwise. */
  private final boolean serviceTls;
  /** Whether calls routed here go over TLS (https to instances that are not secure themselves). */
  private final boolean tls;
  /** URL rewriters of the instances when this subset's scheme is not the service's, else null. */
  final InstanceIndex<InstanceUrls> urls;
  private volatile Healthy healthy;

  SubsetRuntime(String name, Map<String, String> selector, List<ServiceInstance> all, LoadBalancer balancer,
      SubsetPolicy policy, boolean serviceTls) {
    this(name, selector, all, balancer, policy, serviceTls, InstanceIndex.empty());
  }

  private SubsetRuntime(String name, Map<String, String> selector, List<ServiceInstance> all, LoadBalancer balancer,
      SubsetPolicy policy, boolean serviceTls, InstanceIndex<InstanceUrls> previousUrls) {
    this.name = name;
    this.selector = selector;
    this.balancer = balancer;
    this.policy = policy;
    this.instances = select(selector, all);
    this.detectorPopulation = policy.ownDetector() ? instances.size() : all.size();
    OutlierDetector detector = policy.detector();
    if (detector != null && (policy.ownDetector() || selector.isEmpty())) {
      detector.retain(instances); // its whole population: the subset's own, or the service's (all of it)
    }
    this.serviceTls = serviceTls;
    boolean encrypts = policy.encrypts(serviceTls);
    this.tls = encrypts;
    this.urls = encrypts == serviceTls ? null : previousUrls.next(instances, i -> new InstanceUrls(i, encrypts));
    if (balancer instanceof InstanceListListener listener) {
      listener.onInstances(instances); // locality counts ejected instances as unhealthy, so it needs them all
    }
    this.healthy = new Healthy(-1, instances);
  }

  /**
   * The instances that may take traffic at {@code now}: without a {@link #detector()}, all; else the ones
   * it has not ejected (or all, in panic mode). Recomputed only when an ejection or a return happened,
   * so the common case is two volatile reads and no allocation.
   */
  public List<ServiceInstance> candidates(long now) {
    OutlierDetector detector = policy.detector();
    if (detector == null) {
      return instances;
    }
    long nextReturn = detector.nextReturnNanos();
    if (nextReturn != Long.MAX_VALUE && now - nextReturn >= 0) {
      detector.expire(now);
    }
    Healthy h = healthy;
    long version = detector.version();
    if (h.version != version) {
      h = new Healthy(version, detector.healthy(instances, now));
      healthy = h;
    }
    return h.instances;
  }

  /**
   * The instances whose metadata has every entry of {@code selector}: without a selector, {@code all}
   * itself (shared, not copied); else one pass that allocates nothing per instance.
   */
  private static List<ServiceInstance> select(Map<String, String> selector, List<ServiceInstance> all) {
    if (selector.isEmpty()) {
      return all;
    }
    int n = selector.size();
    String[] keys = new String[n];
    String[] values = new String[n];
    int k = 0;
    for (Map.Entry<String, String> e : selector.entrySet()) {
      keys[k] = e.getKey();
      values[k++] = e.getValue();
    }
    ServiceInstance[] selected = new ServiceInstance[all.size()];
    int count = 0;
    for (ServiceInstance instance : all) {
      Map<String, String> metadata = instance.metadata();
      boolean match = true;
      for (int i = 0; i < n && match; i++) {
        match = values[i].equals(metadata.get(keys[i]));
      }
      if (match) {
        selected[count++] = instance;
      }
    }
    return List.of(java.util.Arrays.copyOf(selected, count));
  }

  private record Healthy(long version, List<ServiceInstance> instances) {}

  SubsetRuntime withInstances(List<ServiceInstance> all) {
    return new SubsetRuntime(name, selector, all, balancer, policy, serviceTls,
        urls == null ? InstanceIndex.empty() : urls);
  }

  /**
   * Fills the candidates cache on the discovery's thread, so the first call after an update does not scan
   * the list: while the detector has no instance ejected, the candidates are all the instances. The
   * version is read first, so an ejection after it makes {@link #candidates} recompute.
   */
  SubsetRuntime prepared() {
    OutlierDetector detector = policy.detector();
    if (detector != null) {
      long version = detector.version();
      if (detector.nextReturnNanos() == Long.MAX_VALUE) {
        healthy = new Healthy(version, instances);
      }
    }
    return this;
  }

  /** The subset's name, or null for the whole service. */
  public String name() {
    return name;
  }

  /** The instances selected, possibly empty. */
  public List<ServiceInstance> instances() {
    return instances;
  }

  /** The balancer of this subset. */
  public LoadBalancer balancer() {
    return balancer;
  }

  /**
   * The outlier detector of the calls routed here, or null when detection is off for them: the subset's
   * own when its policy sets {@code outlier-detection}, else the service's.
   */
  public OutlierDetector detector() {
    return policy.detector();
  }

  /**
   * Records how an attempt on {@code instance}, routed here, ended, and how long it took, in this subset's
   * detector.
   */
  public void recordOutcome(ServiceInstance instance, io.meshclient.api.CallOutcome outcome, int status,
      long latencyNanos) {
    OutlierDetector detector = policy.detector();
    if (detector != null) {
      detector.onResult(instance, outcome, status, latencyNanos, detectorPopulation);
    }
  }

  /** The calls routed here in flight: the subset's own count with its own cap, else the service's. */
  public AtomicInteger inFlight() {
    return policy.inFlight();
  }

  /** The most calls routed here that may be in flight at once. */
  public int maxConcurrentRequests() {
    return policy.maxConcurrentRequests();
  }

  /** Whether the cap and count are the subset's own, apart from the service's. */
  public boolean hasOwnLimit() {
    return policy.ownLimit();
  }

  /** Whether calls routed here go over TLS to instances that are not secure themselves. */
  public boolean encrypts() {
    return tls;
  }

  /**
   * The subset's own TLS client, which calls routed here put on their chain, or null when they use the
   * service's TLS (or none).
   */
  public SubsetTls ownTls() {
    return policy.tls();
  }

  /** Whether the subset's own {@code tls} setting turns TLS off for calls routed here. */
  public boolean turnsTlsOff() {
    return policy.plaintext();
  }

  /**
   * The connect timeout of an attempt routed here under {@code plan}: the route's own {@code
   * connect-timeout}, else the subset's, else the service's.
   */
  public long connectTimeoutMillis(RoutePlan plan) {
    long own = policy.connectTimeoutMillis();
    if (own < 0) {
      return plan.connectTimeoutMillis();
    }
    io.meshclient.core.internal.routing.Route route = plan.route();
    return route != null && route.config().connectTimeout() != null ? plan.connectTimeoutMillis() : own;
  }
}
