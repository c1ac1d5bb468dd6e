package io.meshclient.core.internal.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.core.Backend;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.BalancerConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LatencyAndHashBalancerTest {

  private static RequestContext withHeader(String name, String value) {
    return new RequestContext() {
      @Override public String method() { return "GET"; }
      @Override public String path() { return "/"; }
      @Override public String header(String n) { return n.equalsIgnoreCase(name) ? value : null; }
      @Override public <T> T attribute(Class<T> key) { return null; }
    };
  }

  private static List<ServiceInstance> instances(int n) {
    List<ServiceInstance> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(ServiceInstance.of("s", "10.0.0." + (i + 1), 8080));
    }
    return List.copyOf(list);
  }

  @Test
  void ringHashMovesAboutAFifthOfKeysWhenAFifthInstanceIsAdded() {
    LoadBalancer balancer = new RingHashBalancer.Provider()
        .create(new BalancerContext("s", "k", Map.of("hash-header", "x-user")));
    List<ServiceInstance> four = instances(4);
    List<ServiceInstance> five = new ArrayList<>(four);
    five.add(ServiceInstance.of("s", "10.0.0.99", 8080));
    List<ServiceInstance> fiveList = List.copyOf(five);
    int keys = 20_000;
    ServiceInstance[] before = new ServiceInstance[keys];
    for (int k = 0; k < keys; k++) {
      before[k] = balancer.pick(four, withHeader("x-user", "user-" + k));
    }
    int moved = 0;
    for (int k = 0; k < keys; k++) {
      ServiceInstance after = balancer.pick(fiveList, withHeader("x-user", "user-" + k));
      if (!after.equals(before[k])) {
        moved++;
        assertThat(after.host()).as("a moved key moves to the new instance").isEqualTo("10.0.0.99");
      }
    }
    double share = moved / (double) keys;
    System.out.printf("ring-hash: %.1f%% of keys moved when a 5th instance was added%n", share * 100);
    assertThat(share).isBetween(0.15, 0.25);
    assertThat(balancer.pick(fiveList, withHeader("x-user", "user-7")))
        .isEqualTo(balancer.pick(fiveList, withHeader("x-user", "user-7")));
  }

  /**
   * Weights of 1 and 1000 (a discovery's: Consul's Weights.Passing, a static weight) gave each heavy instance 160,000
   * points: 1.4 million here, 8 million among 50 instances, built again at every change of the list.
   */
  @Test
  void ringHashBoundsItsPointsWhateverTheWeightsAndKeepsTheirRatio() {
    List<ServiceInstance> instances = new ArrayList<>();
    instances.add(ServiceInstance.of("s", "10.0.0.1", 8080));
    for (int i = 2; i <= 10; i++) {
      instances.add(ServiceInstance.of("s", "10.0.0." + i, 8080).withWeight(1000));
    }
    RingHashBalancer.Ring ring = RingHashBalancer.build(List.copyOf(instances), RingHashBalancer.DEFAULT_POINTS);

    assertThat(ring.points()).hasSizeLessThanOrEqualTo(RingHashBalancer.MAX_POINTS);
    int[] owned = new int[instances.size()];
    for (int owner : ring.owners()) {
      owned[owner]++;
    }
    for (int i = 1; i < owned.length; i++) {
      assertThat(owned[i] / (double) owned[0]).as("instance %d's points over the light one's", i)
          .isBetween(990.0, 1010.0);
    }
  }

  @Test
  void ringHashNeedsExactlyOneKeySource() {
    assertThatThrownBy(() -> new RingHashBalancer.Provider().create(new BalancerContext("s",
        "mesh.services.s.load-balancer", Map.of())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.s.load-balancer: {} (expected: exactly one of hash-header or hash-cookie, "
            + "such as { name: ring-hash, hash-header: x-user-id })");
    assertThatThrownBy(() -> new RingHashBalancer.Provider().create(new BalancerContext("s",
        "mesh.services.s.load-balancer", Map.of("hash-header", "x", "points", "9"))))
        .hasMessage("mesh.services.s.load-balancer.points: unknown option "
            + "(expected: one of [hash-cookie, hash-header, points-per-instance])");
  }

  @Test
  @Timeout(60)
  void peakEwmaSendsUnderATenthOfTrafficToABackendTwentyTimesSlower() throws Exception {
    // 20 ms and 400 ms rather than 2 ms and 40 ms: the balancer measures whole attempts, and on a loaded
    // machine the milliseconds of scheduling added to each shrank the measured ratio far below 20.
    try (Backend fast1 = new Backend("fast1").delay(20); Backend fast2 = new Backend("fast2").delay(20);
        Backend slow = new Backend("slow").delay(400)) {
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(
          fast1.instance("api", Map.of()), fast2.instance("api", Map.of()), slow.instance("api", Map.of())));
      MeshConfig config = MeshConfig.builder().service(ServiceConfig.builder("api")
          .loadBalancer(BalancerConfig.named("peak-ewma")).build()).build();
      int total = 3000;
      try (Mesh mesh = Mesh.builder().config(config).discovery("memory", discovery).build()) {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger remaining = new AtomicInteger(total);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
          futures.add(pool.submit(() -> {
            while (remaining.getAndDecrement() > 0) {
              try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api/").build()).execute()) {
                r.body().string();
              }
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(50, TimeUnit.SECONDS);
        }
        pool.shutdown();
      }
      double share = slow.requests() / (double) total;
      System.out.printf("peak-ewma: slow backend share %.3f%n", share);
      assertThat(share).isLessThan(0.10);
    }
  }
}
