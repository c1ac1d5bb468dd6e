package io.meshclient.benchmarks;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 21: what a discovery snapshot costs the mesh, from {@code onSnapshot} to the swap, without the
 * parse. A service of {@code instances} instances (least-request, subsets v1 and v2 by metadata)
 * receives, alternately, two snapshots:
 *
 * <ul>
 *   <li>{@code fullSnapshot}: every instance a new object (as a discovery that parses its registry's
 *       answer delivers it), equal in content to the last one but for 1% that changed weight;
 *   <li>{@code oneChanged}: the same objects but one, whose weight changed.
 * </ul>
 *
 * Single-threaded, so the time is CPU time; add {@code -prof gc} for the allocation per update.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SnapshotUpdateBenchmark {
  @Param({"10000"})
  public int instances;

  private InMemoryDiscovery discovery;
  private Mesh mesh;
  private List<ServiceInstance> fullA;
  private List<ServiceInstance> fullB;
  private List<ServiceInstance> oneA;
  private List<ServiceInstance> oneB;
  private boolean flip;

  static List<ServiceInstance> instances(int n, int changedEvery, int weight) {
    List<ServiceInstance> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int w = changedEvery > 0 && i % changedEvery == 0 ? weight : 1;
      out.add(new ServiceInstance("i-" + i, "big", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255),
          8080, false, w, Map.of("version", i % 2 == 0 ? "v1" : "v2"), "zone-" + i % 3));
    }
    return List.copyOf(out);
  }

  @Setup(Level.Trial)
  public void setUp() {
    discovery = new InMemoryDiscovery();
    fullA = instances(instances, 100, 1);
    fullB = instances(instances, 100, 2);
    discovery.set("big", fullA);
    MeshConfig config = MeshConfig.fromMap(Map.of("mesh", Map.of("services", Map.of("big", Map.of(
        "load-balancer", "least-request", "subsets", Map.of("v1", Map.of("version", "v1"), "v2",
            Map.of("version", "v2")))))));
    mesh = Mesh.builder().config(config).discovery("mem", discovery).build();
    oneA = fullA;
    List<ServiceInstance> changed = new ArrayList<>(fullA);
    ServiceInstance first = fullA.get(0);
    changed.set(0, new ServiceInstance(first.id(), first.service(), first.host(), first.port(), first.secure(),
        7, first.metadata(), first.zone()));
    oneB = List.copyOf(changed);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    mesh.close();
  }

  @Benchmark
  public int fullSnapshot() {
    flip = !flip;
    discovery.set("big", flip ? fullB : fullA);
    return mesh.instances("big").size();
  }

  @Benchmark
  public int oneChanged() {
    flip = !flip;
    discovery.set("big", flip ? oneB : oneA);
    return mesh.instances("big").size();
  }
}
