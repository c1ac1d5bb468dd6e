package io.meshclient.discovery.consul;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Issue 21's {@code benchmarks/run.sh consul-scale}: a mesh over the emulated agent (which enforces
 * Consul's 200 connections per client) with {@code services} services of 3 instances, under calls the
 * whole time. Measures build() with 200 services, the agent connections and threads, how fast a
 * random status change is followed, and (unless {@code --smoke}) how fast a black-holed agent is
 * noticed at {@code wait: 55s}. Prints one line and writes JSON to the file given.
 *
 * <p>Arguments: {@code [services=1000] [changes=30] [json-file] [--smoke]}.
 */
public final class ConsulScaleScenario {
  private ConsulScaleScenario() {}

  public static void main(String[] args) throws Exception {
    List<String> positional = new ArrayList<>();
    boolean smoke = false;
    for (String a : args) {
      if (a.equals("--smoke")) {
        smoke = true;
      } else {
        positional.add(a);
      }
    }
    int services = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 1000;
    int changes = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 30;
    Path json = positional.size() > 2 ? Path.of(positional.get(2)) : null;
    System.exit(run(services, changes, json, smoke));
  }

  private static String name(int i) {
    return "svc-" + i;
  }

  static int run(int services, int changes, Path json, boolean smoke) throws Exception {
    try (ConsulEmulator consul = new ConsulEmulator(); Backends backends = new Backends("a", "b", "c")) {
      consul.atomically(() -> {
        for (int i = 0; i < services; i++) {
          for (String b : List.of("a", "b", "c")) {
            consul.register(Registration.of(name(i), name(i) + "-" + b, "127.0.0.1", backends.port(b)));
          }
        }
      });
      int small = Math.min(200, services);
      timeBuild(consul, small); // warm-up: class loading and JIT of a first mesh
      Duration build200 = timeBuild(consul, small);
      System.out.printf(Locale.ROOT, "build() with %d services: %d ms%n", small, build200.toMillis());

      AtomicLong firstFailure = new AtomicLong();
      ConsulWatchListener events = new ConsulWatchListener() {
        @Override
        public void onFailure(String service, Duration latency, Failure failure) {
          firstFailure.compareAndSet(0, System.nanoTime());
        }
      };
      ServiceDiscovery discovery = new ConsulDiscoveryProvider(events).create(ConsulDiscoverySettings.builder()
          .url(java.net.URI.create(consul.url())).waitTime(ConsulDiscoverySettings.DEFAULT_WAIT).build());
      long buildStart = System.nanoTime();
      try (Mesh mesh = Mesh.builder().discovery("consul", discovery).config(config(services, null)).build()) {
        long buildAll = (System.nanoTime() - buildStart) / 1_000_000;
        int known = known(mesh, services);
        System.out.printf(Locale.ROOT, "build() with %d services: %d ms, %d known once built%n", services,
            buildAll, known);
        waitUntil(() -> known(mesh, services) == services, Duration.ofSeconds(60));
        Calls calls = new Calls(mesh, services);

        List<Long> followMillis = new ArrayList<>();
        for (int c = 0; c < changes; c++) {
          int i = ThreadLocalRandom.current().nextInt(services);
          boolean down = mesh.instances(name(i)).size() == 3;
          consul.setStatus(name(i), name(i) + "-c", down ? "critical" : "passing");
          long start = System.nanoTime();
          int want = down ? 2 : 3;
          waitUntil(() -> mesh.instances(name(i)).size() == want, Duration.ofSeconds(10));
          followMillis.add((System.nanoTime() - start) / 1_000_000);
          Thread.sleep(100);
        }
        followMillis.sort(null);
        long changeMax = followMillis.isEmpty() ? 0 : followMillis.get(followMillis.size() - 1);
        long changeP50 = followMillis.isEmpty() ? 0 : followMillis.get(followMillis.size() / 2);
        int threads = consulThreads();

        double lossSeconds = Double.NaN;
        if (!smoke) {
          firstFailure.set(0);
          long lost = System.nanoTime();
          consul.blackHole(true);
          waitUntil(() -> firstFailure.get() != 0, Duration.ofSeconds(70));
          lossSeconds = firstFailure.get() == 0 ? Double.NaN : (firstFailure.get() - lost) / 1e9;
          int keptKnown = known(mesh, services);
          consul.blackHole(false);
          System.out.printf(Locale.ROOT, "agent black-holed at wait 55s: noticed after %.1f s, %d of %d "
              + "services kept their instances%n", lossSeconds, keptKnown, services);
          Thread.sleep(1_000);
        }
        calls.close();
        int peak = consul.connections().peakConnections();
        int refused = consul.connections().refusedConnections();
        String line = String.format(Locale.ROOT, "consul-scale services=%d instances=%d threads=%d "
            + "agent_connections_peak=%d refused=%d build_ms_200=%d change_p50_ms=%d change_max_ms=%d "
            + "agent_loss_s=%.1f calls=%d failed_calls=%d", services, services * 3, threads, peak, refused,
            build200.toMillis(), changeP50, changeMax, lossSeconds, calls.total.get(), calls.failed.get());
        if (json != null) {
          Files.createDirectories(json.toAbsolutePath().getParent());
          Files.writeString(json, String.format(Locale.ROOT, "{\"services\": %d, \"instances\": %d, "
              + "\"threads\": %d, \"agent_connections_peak\": %d, \"refused_connections\": %d, "
              + "\"build_ms_200\": %d, \"build_ms_all\": %d, \"known_once_built\": %d, "
              + "\"change_follow_ms\": %s, \"agent_loss_s\": %s, \"calls\": %d, \"failed_calls\": %d, "
              + "\"targets\": {\"threads\": 8, \"agent_connections\": 100, \"build_ms_200\": 2000, "
              + "\"change_follow_ms\": 1000, \"agent_loss_s\": 15, \"failed_calls\": 0}}%n",
              services, services * 3, threads, peak, refused, build200.toMillis(), buildAll, known, followMillis,
              Double.isNaN(lossSeconds) ? "null" : String.format(Locale.ROOT, "%.1f", lossSeconds),
              calls.total.get(), calls.failed.get()));
        }
        System.out.println(line);
        return calls.failed.get() == 0 && refused == 0 ? 0 : 1;
      }
    }
  }

  private static Duration timeBuild(ConsulEmulator consul, int services) {
    long start = System.nanoTime();
    try (Mesh mesh = Mesh.builder().config(config(services, consul.url())).build()) {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      int known = known(mesh, services);
      System.out.printf(Locale.ROOT, "%d of %d services known once built%n", known, services);
      return took;
    }
  }

  private static MeshConfig config(int services, String consulUrl) {
    Map<String, Object> byName = new LinkedHashMap<>();
    for (int i = 0; i < services; i++) {
      byName.put(name(i), Map.of("discovery", "consul"));
    }
    Map<String, Object> mesh = new LinkedHashMap<>();
    if (consulUrl != null) {
      mesh.put("discovery", Map.of("consul", Map.of("url", consulUrl)));
    }
    mesh.put("services", byName);
    return MeshConfig.fromMap(Map.of("mesh", mesh));
  }

  private static int known(Mesh mesh, int services) {
    int known = 0;
    for (int i = 0; i < services; i++) {
      if (!mesh.instances(name(i)).isEmpty()) {
        known++;
      }
    }
    return known;
  }

  private static int consulThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("mesh-consul-")).count();
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
  }

  /** Two threads calling random services through the mesh, counting every call that fails. */
  private static final class Calls implements AutoCloseable {
    final AtomicInteger total = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    Calls(Mesh mesh, int services) {
      for (int t = 0; t < 2; t++) {
        Thread thread = new Thread(() -> {
          while (!stop) {
            String url = "http://" + name(ThreadLocalRandom.current().nextInt(services)) + "/";
            try (Response response = mesh.httpClient().newCall(new Request.Builder().url(url).build()).execute()) {
              response.body().string();
              if (response.code() != 200) {
                failed.incrementAndGet();
              }
            } catch (Exception e) {
              failed.incrementAndGet();
            }
            total.incrementAndGet();
          }
        }, "consul-scale-calls-" + t);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      for (Thread thread : threads) {
        thread.join(5_000);
      }
    }
  }
}
