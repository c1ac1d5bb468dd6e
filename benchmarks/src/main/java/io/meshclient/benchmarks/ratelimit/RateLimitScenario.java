package io.meshclient.benchmarks.ratelimit;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.metrics.MeshMetricNames;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * {@code run.sh ratelimit}, issue 2's real-time check of the token bucket: a mesh service limited to
 * {@code --rate}/s with burst {@code --burst}, driven as fast as possible by {@code --threads} threads
 * for {@code --duration} against a loopback backend. A bucket that starts full admits exactly {@code
 * burst + rate x duration} in that time; the scenario passes within ±2%.
 *
 * <p>Admissions are counted three ways, which must agree: calls that got a 200, requests the backend
 * received, and the mesh's own counter of refusals subtracted from all calls made.
 */
public final class RateLimitScenario {
  private RateLimitScenario() {}

  public static void main(String[] args) throws Exception {
    long rate = 200;
    int burst = 20;
    int threads = 8;
    double seconds = 10;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rate": rate = Long.parseLong(args[i + 1]); break;
        case "--burst": burst = Integer.parseInt(args[i + 1]); break;
        case "--threads": threads = Integer.parseInt(args[i + 1]); break;
        case "--duration": seconds = Double.parseDouble(args[i + 1].replaceAll("s$", "")); break;
        default: throw new IllegalArgumentException(args[i] + " (expected: --rate, --burst, --threads, --duration)");
      }
    }
    long expected = Math.round(burst + rate * seconds);

    // The JDK server waits ~40 ms per response without this (Nagle); the property is read when the
    // server class initialises.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    ExecutorService serverThreads = Executors.newFixedThreadPool(threads);
    LongAdder received = new LongAdder();
    byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      received.increment();
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(serverThreads);
    server.start();
    int port = server.getAddress().getPort();

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MeshConfig config = MeshConfig.builder()
        .service(ServiceConfig.builder("ratelimited").rateLimit(RateLimitConfig.perSecond(rate, burst)).build())
        .build();
    StaticServiceDiscovery discovery = StaticServiceDiscovery.builder()
        .instance("ratelimited", "http://127.0.0.1:" + port).build();
    LongAdder admitted = new LongAdder();
    LongAdder refused = new LongAdder();
    LongAdder failed = new LongAdder();
    AtomicLong calls = new AtomicLong();
    try (Mesh mesh = Mesh.builder().config(config).discovery("static", discovery).meterRegistry(registry).build()) {
      OkHttpClient client = mesh.httpClient();
      Request request = new Request.Builder().url("http://ratelimited/work").build();
      // Loads classes and opens a connection; the permit it takes is back once the bucket has had a full
      // burst's worth of intervals to refill, so the window starts with a full bucket.
      warm(client, request);
      long intervalNanos = RateLimitConfig.perSecond(rate, burst).emissionIntervalNanos();
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(intervalNanos * (burst + 1)) + 100);
      long refusedBefore = refusedByMesh(registry);
      received.reset();

      CountDownLatch go = new CountDownLatch(1);
      long[] window = new long[1];
      long durationNanos = (long) (seconds * 1e9);
      Thread[] workers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        workers[t] = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          long end = window[0] + durationNanos;
          while (System.nanoTime() < end) {
            calls.incrementAndGet();
            try (Response r = client.newCall(request).execute()) {
              r.body().bytes();
              if (r.code() == 200) {
                admitted.increment();
              } else {
                failed.increment();
              }
            } catch (RateLimitExceededException e) {
              refused.increment();
            } catch (IOException e) {
              failed.increment();
            }
          }
        }, "ratelimit-" + t);
        workers[t].start();
      }
      window[0] = System.nanoTime();
      go.countDown();
      for (Thread w : workers) {
        w.join();
      }
      long meshRefused = refusedByMesh(registry) - refusedBefore;
      long n = admitted.sum();
      double errorPct = 100.0 * (n - expected) / expected;
      boolean within = Math.abs(errorPct) <= 2.0;
      System.out.printf(Locale.ROOT, "rate %d/s, burst %d, %d threads, %.1f s against a loopback backend%n",
          rate, burst, threads, seconds);
      System.out.printf(Locale.ROOT, "calls %,d: admitted %,d, refused %,d (mesh counter %,d), failed %d; backend received %,d%n",
          calls.get(), n, refused.sum(), meshRefused, failed.sum(), received.sum());
      System.out.printf(Locale.ROOT, "admitted %d vs expected %d (= %d x %.0f + %d): %+.2f%%, %s ±2%%%n",
          n, expected, rate, seconds, burst, errorPct, within ? "within" : "NOT within");
      boolean consistent = received.sum() == n && meshRefused == refused.sum() && failed.sum() == 0;
      if (!consistent) {
        System.out.println("INCONSISTENT: the backend's count, the mesh's refusal counter and the caller's counts disagree");
      }
      System.out.printf(Locale.ROOT, "ratelimit admitted=%d expected=%d error_pct=%.2f%n", n, expected, errorPct);
      server.stop(0);
      serverThreads.shutdownNow();
      System.exit(within && consistent ? 0 : 1);
    }
  }

  private static long refusedByMesh(SimpleMeterRegistry registry) {
    Counter c = registry.find(MeshMetricNames.RATE_LIMITED).tag(MeshMetricNames.SERVICE, "ratelimited").counter();
    return c == null ? 0 : (long) c.count();
  }

  private static void warm(OkHttpClient client, Request request) {
    try (Response r = client.newCall(request).execute()) {
      r.body().bytes();
    } catch (IOException e) {
      // A refusal while warming is fine.
    }
  }
}
