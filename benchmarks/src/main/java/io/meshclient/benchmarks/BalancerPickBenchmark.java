package io.meshclient.benchmarks;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.Providers;
import io.meshclient.core.internal.http.OkHttpRequestContext;
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
 * {@code LoadBalancer.pick()} of every built-in balancer, created by name through its provider exactly as
 * the mesh creates it, at 10, 100 and 1,000 instances.
 *
 * <p>{@code pick} is the call alone; {@code pickStartComplete} adds the {@code onStart}/{@code onComplete}
 * pair the mesh makes around every attempt (least-request counts in-flight requests there, peak-ewma also
 * folds in the latency). Every instance has answered once before the first pick, at 1.000 to 1.099 ms, so
 * that peak-ewma compares measured costs rather than the zeros of instances it never heard from.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BalancerPickBenchmark {
  @Param({"round-robin", "random", "weighted-round-robin", "least-request", "peak-ewma"})
  public String balancer;

  @Param({"10", "100", "1000"})
  public int instances;

  private LoadBalancer lb;
  private List<ServiceInstance> list;
  private RequestContext context;

  @Setup
  public void setUp() {
    String key = "mesh.services.reviews.load-balancer";
    lb = Providers.loadBalancer(balancer, key, getClass().getClassLoader())
        .create(new BalancerContext("reviews", key, null));
    list = Fixtures.instances("reviews", instances);
    context = OkHttpRequestContext.of(new Request.Builder().url("http://reviews/api/reviews/1").build());
    // The first pick on a new list builds the balancer's per-list state (off the steady-state path).
    lb.pick(list, context);
    for (int i = 0; i < list.size(); i++) {
      lb.onStart(list.get(i));
      lb.onComplete(list.get(i), CallOutcome.SUCCESS, 1_000_000L + 1_000L * (i % 100));
    }
  }

  @Benchmark
  public ServiceInstance pick() {
    return lb.pick(list, context);
  }

  @Benchmark
  public ServiceInstance pickStartComplete() {
    ServiceInstance instance = lb.pick(list, context);
    lb.onStart(instance);
    lb.onComplete(instance, CallOutcome.SUCCESS, 1_000_000L);
    return instance;
  }
}
