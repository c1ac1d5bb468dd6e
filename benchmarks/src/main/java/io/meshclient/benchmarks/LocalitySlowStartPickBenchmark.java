package io.meshclient.benchmarks;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.Providers;
import io.meshclient.core.Ticker;
import io.meshclient.core.internal.balancer.Balancers;
import io.meshclient.core.internal.balancer.InstanceListListener;
import io.meshclient.core.config.LocalityConfig;
import io.meshclient.core.config.SlowStartConfig;
import io.meshclient.core.internal.http.OkHttpRequestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code pick()} with zone-aware routing and slow start on, at 1,000 instances in 3 zones, the local zone
 * half ejected (so two levels share the calls) and 10% of the instances warming (an hour-long window,
 * so they stay warming for the whole run).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LocalitySlowStartPickBenchmark {
  @Param({"round-robin", "weighted-round-robin", "least-request"})
  public String balancer;

  @Param({"1000"})
  public int instances;

  private LoadBalancer lb;
  private List<ServiceInstance> candidates;
  private RequestContext context;

  @Setup
  public void setUp() {
    String key = "mesh.services.reviews.load-balancer";
    var provider = Providers.loadBalancer(balancer, key, getClass().getClassLoader());
    SlowStartConfig slowStart = SlowStartConfig.of(Duration.ofHours(1));
    Ticker ticker = System::nanoTime;
    lb = Balancers.locality(LocalityConfig.failover("zone-a"),
        () -> Balancers.slowStart(provider.create(new BalancerContext("reviews", key, null)), slowStart, ticker, null),
        null);
    List<ServiceInstance> all = new ArrayList<>();
    List<ServiceInstance> warm = new ArrayList<>();
    int i = 0;
    for (ServiceInstance instance : Fixtures.instances("reviews", instances)) {
      ServiceInstance zoned = new ServiceInstance(instance.id(), instance.service(), instance.host(),
          instance.port(), false, instance.weight(), instance.metadata(), "zone-" + "abc".charAt(i % 3));
      all.add(zoned);
      if (i % 10 != 0) {
        warm.add(zoned);
      }
      i++;
    }
    context = OkHttpRequestContext.of(new Request.Builder().url("http://reviews/api/reviews/1").build());
    // First lists: everyone present at start-up is warm; then the 10% that were missing come back warming.
    ((InstanceListListener) lb).onInstances(all);
    List<ServiceInstance> first = List.copyOf(warm);
    lb.pick(first, context);
    List<ServiceInstance> healthy = new ArrayList<>();
    int localSeen = 0;
    for (ServiceInstance instance : all) {
      if (instance.zone().equals("zone-a") && localSeen++ % 2 == 0) {
        continue; // half of the local zone ejected
      }
      healthy.add(instance);
    }
    candidates = List.copyOf(healthy);
    lb.pick(candidates, context);
  }

  @Benchmark
  public ServiceInstance pick() {
    return lb.pick(candidates, context);
  }
}
