package io.meshclient.benchmarks.hedge;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * {@code run.sh hedge}, issue 19's check of hedged requests: three loopback backends, one of which answers
 * 5% of calls 50 times slower. The same calls run without hedging, then with {@code hedge: { after: p95 }},
 * through a least-request mesh; the requests are counted at the servers. Prints one line:
 * {@code hedge p99_ratio=<hedged p99 / unhedged p99> extra_load=<requests at the servers / calls - 1>
 * duplicated_posts=<POSTs the servers saw beyond those sent>}. It passes with p99_ratio <= 0.5,
 * extra_load <= 0.10 and duplicated_posts=0; with {@code --smoke} (CI) only duplicated_posts=0 is asserted.
 */
public final class HedgeScenario {
  private HedgeScenario() {}

  /** A backend answering in {@code baseMillis}, or 50 times slower for a share of calls (seeded). */
  private static final class Backend {
    final HttpServer http;
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();

    Backend(ExecutorService executor, long baseMillis, double slowShare, long seed) throws IOException {
      SplittableRandom random = new SplittableRandom(seed);
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
      http.setExecutor(executor);
      http.createContext("/", exchange -> {
        boolean post = exchange.getRequestMethod().equals("POST");
        (post ? posts : gets).incrementAndGet();
        exchange.getRequestBody().readAllBytes();
        boolean slow;
        synchronized (random) {
          slow = random.nextDouble() < slowShare;
        }
        try {
          Thread.sleep(slow ? baseMillis * 50 : baseMillis);
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
        } catch (IOException e) {
          // a cancelled hedge loser: the client reset the connection
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          exchange.close();
        }
      });
      http.start();
    }

    ServiceInstance instance(int i) {
      return ServiceInstance.builder("api", "127.0.0.1", http.getAddress().getPort()).id("api-" + i).build();
    }
  }

  public static void main(String[] args) throws Exception {
    int calls = 2_000;
    int threads = 4;
    long baseMillis = 2;
    boolean smoke = java.util.Arrays.asList(args).contains("--smoke");
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--smoke")) {
        i--;
        continue;
      }
      switch (args[i]) {
        case "--calls": calls = Integer.parseInt(args[i + 1]); break;
        case "--threads": threads = Integer.parseInt(args[i + 1]); break;
        case "--base-ms": baseMillis = Long.parseLong(args[i + 1]); break;
        default: throw new IllegalArgumentException(args[i] + " (expected: --calls, --threads, --base-ms, --smoke)");
      }
    }
    System.setProperty("sun.net.httpserver.nodelay", "true");
    ExecutorService handlers = Executors.newCachedThreadPool();
    List<Backend> backends = List.of(new Backend(handlers, baseMillis, 0, 1), new Backend(handlers, baseMillis, 0, 2),
        new Backend(handlers, baseMillis, 0.05, 3));
    StaticServiceDiscovery.Builder discovery = StaticServiceDiscovery.builder();
    for (int i = 0; i < backends.size(); i++) {
      discovery.instance(backends.get(i).instance(i));
    }
    StaticServiceDiscovery instances = discovery.build();
    try {
      long[] plain = run(mesh(instances, ""), calls, threads, backends, false);
      int before = requests(backends);
      long[] hedged = run(mesh(instances, "hedge: { after: p95, fallback: " + (baseMillis * 3) + "ms }"), calls,
          threads, backends, false);
      int hedgedRequests = requests(backends) - before;
      int postsBefore = posts(backends);
      run(mesh(instances, "hedge: { after: 1ms, max-extra: 2 }"), 200, threads, backends, true);
      int duplicatedPosts = posts(backends) - postsBefore - 200;
      double ratio = (double) percentile(hedged, 99) / percentile(plain, 99);
      double extra = (double) hedgedRequests / calls - 1;
      System.out.printf(Locale.ROOT, "unhedged p50=%.1fms p99=%.1fms; hedged p50=%.1fms p99=%.1fms (%d calls, %d threads)%n",
          percentile(plain, 50) / 1e6, percentile(plain, 99) / 1e6, percentile(hedged, 50) / 1e6,
          percentile(hedged, 99) / 1e6, calls, threads);
      System.out.printf(Locale.ROOT, "hedge p99_ratio=%.2f extra_load=%.3f duplicated_posts=%d%n", ratio, extra,
          duplicatedPosts);
      if (duplicatedPosts != 0 || (!smoke && (ratio > 0.5 || extra > 0.10))) {
        System.out.println("hedge: MISSED (targets: p99_ratio <= 0.5, extra_load <= 0.10, duplicated_posts=0)");
        System.exit(1);
      }
    } finally {
      backends.forEach(b -> b.http.stop(0));
      handlers.shutdownNow();
    }
  }

  private static Mesh mesh(StaticServiceDiscovery discovery, String hedge) {
    return Mesh.builder().config(MeshConfig.fromYaml("""
        mesh:
          services:
            api:
              load-balancer: least-request
              outlier-detection: { enabled: false }
              retry: { attempts: 1, budget: 20% }
              routes:
                - to: { service: api }
                  HEDGE
        """.replace("HEDGE", hedge), name -> null)).discovery("static", discovery).build();
  }

  /** Runs {@code calls} calls on {@code threads} threads; returns each call's latency in nanoseconds, sorted. */
  private static long[] run(Mesh mesh, int calls, int threads, List<Backend> backends, boolean post) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (mesh) {
      List<Future<Long>> futures = new ArrayList<>(calls);
      for (int i = 0; i < calls; i++) {
        futures.add(pool.submit(() -> {
          Request.Builder request = new Request.Builder().url("http://api/items");
          if (post) {
            request.post(RequestBody.create("{}", MediaType.get("application/json")));
          }
          long start = System.nanoTime();
          try (Response r = mesh.httpClient().newCall(request.build()).execute()) {
            r.body().string();
            if (r.code() != 200) {
              throw new IllegalStateException("status " + r.code());
            }
          }
          return System.nanoTime() - start;
        }));
      }
      long[] out = new long[calls];
      for (int i = 0; i < calls; i++) {
        out[i] = futures.get(i).get();
      }
      Arrays.sort(out);
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
  }

  private static int requests(List<Backend> backends) {
    return backends.stream().mapToInt(b -> b.gets.get()).sum();
  }

  private static int posts(List<Backend> backends) {
    return backends.stream().mapToInt(b -> b.posts.get()).sum();
  }
}
