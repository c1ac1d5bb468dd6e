package io.meshclient.core.internal.balancer;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import io.meshclient.api.spi.SettingValues;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Consistent hashing on a request header or cookie (Envoy's ring hash): each instance owns {@code
 * points-per-instance} points on a 64-bit ring (times its weight), placed by hashing its id, so adding or
 * removing one of n instances moves only about 1/n of the keys. A request without the key goes to a random
 * instance. Picking hashes the key and binary-searches the ring: no allocation.
 */
final class RingHashBalancer implements LoadBalancer, InstanceListListener {
  static final int DEFAULT_POINTS = 160;
  static final int MAX_RING = 200_000;
  /**
   * The most points a ring has in all, as Envoy bounds its ring ({@code maximum_ring_size}): without it the points
   * were bounded per instance only, so weights of 1 and 1000 among 50 instances (a discovery's weights, Consul's
   * {@code Weights.Passing} among them) made a ring of 8 million points, hundreds of megabytes built again at each
   * change of the list. Above it every instance's points are scaled down alike, keeping the weights' ratios.
   */
  static final int MAX_POINTS = 1_000_000;

  private final String header;
  private final String cookie;
  private final int pointsPerInstance;
  volatile Ring ring = new Ring(List.of(), new long[0], new int[0]);

  RingHashBalancer(String header, String cookie, int pointsPerInstance) {
    this.header = header;
    this.cookie = cookie;
    this.pointsPerInstance = pointsPerInstance;
  }

  /** Builds the ring of a subset's new list on the discovery's thread, not on the first call after it. */
  @Override
  public void onInstances(List<ServiceInstance> all) {
    if (all.size() > 1 && ring.instances != all) {
      ring = build(all, pointsPerInstance);
    }
  }

  @Override
  public ServiceInstance pick(List<ServiceInstance> instances, RequestContext context) {
    String key = header != null ? context.header(header) : context.cookie(cookie);
    if (key == null || instances.size() == 1) {
      return instances.get(instances.size() == 1 ? 0 : ThreadLocalRandom.current().nextInt(instances.size()));
    }
    Ring r = ring;
    if (r.instances != instances) {
      r = build(instances, pointsPerInstance);
      ring = r;
    }
    long hash = hash(key);
    int i = Arrays.binarySearch(r.points, hash);
    if (i < 0) {
      i = -i - 1;
    }
    return instances.get(r.owners[i == r.points.length ? 0 : i]);
  }

  static Ring build(List<ServiceInstance> instances, int pointsPerInstance) {
    int minWeight = Integer.MAX_VALUE;
    for (ServiceInstance instance : instances) {
      if (instance.weight() > 0) {
        minWeight = Math.min(minWeight, instance.weight());
      }
    }
    long total = 0;
    int[] counts = new int[instances.size()];
    for (int i = 0; i < counts.length; i++) {
      int w = instances.get(i).weight();
      counts[i] = minWeight == Integer.MAX_VALUE ? pointsPerInstance
          : (int) Math.min(MAX_RING, (long) pointsPerInstance * w / minWeight);
      total += counts[i];
    }
    if (total > MAX_POINTS) {
      long scaled = 0;
      for (int i = 0; i < counts.length; i++) {
        counts[i] = counts[i] == 0 ? 0 : (int) Math.max(1, (long) counts[i] * MAX_POINTS / total);
        scaled += counts[i];
      }
      total = scaled;
    }
    long[][] entries = new long[(int) Math.min(total, Integer.MAX_VALUE)][];
    int k = 0;
    for (int i = 0; i < counts.length; i++) {
      String id = instances.get(i).id();
      for (int p = 0; p < counts[i]; p++) {
        entries[k++] = new long[] {hash(id + "#" + p), i};
      }
    }
    Arrays.sort(entries, (x, y) -> Long.compare(x[0], y[0]));
    long[] points = new long[k];
    int[] owners = new int[k];
    for (int i = 0; i < k; i++) {
      points[i] = entries[i][0];
      owners[i] = (int) entries[i][1];
    }
    return new Ring(instances, points, owners);
  }

  /** FNV-1a over the characters, finished with MurmurHash3's 64-bit mix for an even spread. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  record Ring(List<ServiceInstance> instances, long[] points, int[] owners) {}

  /** Provides {@code ring-hash}; options {@code hash-header} or {@code hash-cookie}, and {@code points-per-instance}. */
  public static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return "ring-hash";
    }

    @Override
    public LoadBalancer create(BalancerContext context) {
      BalancerOptions.allowOnly(context, Set.of("hash-header", "hash-cookie", "points-per-instance"));
      String header = context.options().get("hash-header");
      String cookie = context.options().get("hash-cookie");
      if ((header == null) == (cookie == null)) {
        throw ConfigurationException.of(context.configKey(), context.options(),
            "exactly one of hash-header or hash-cookie, such as { name: ring-hash, hash-header: x-user-id }");
      }
      // a name no request can carry would find no key on any call: every call a random instance, affinity lost
      if (header != null && !SettingValues.isToken(header)) {
        throw ConfigurationException.of(context.configKey() + ".hash-header", header, "a header name (RFC 9110 token)");
      }
      if (cookie != null && !SettingValues.isToken(cookie)) {
        throw ConfigurationException.of(context.configKey() + ".hash-cookie", cookie, "a cookie name (RFC 9110 token)");
      }
      String points = context.options().get("points-per-instance");
      return new RingHashBalancer(header, cookie,
          points == null ? DEFAULT_POINTS : BalancerOptions.positiveInt(context, "points-per-instance", points, 10_000));
    }
  }
}
