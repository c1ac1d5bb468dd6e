package io.meshclient.benchmarks.load;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.ConnectionPoolConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.ServiceDefaults;
import io.meshclient.core.metrics.MeshMetricNames;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * mesh-client as a user would run it in production: static discovery of the three backends,
 * {@code least-request}, a service rate limit that never triggers, metrics on (a {@link
 * SimpleMeterRegistry}), calls to {@code http://backend/...} through {@code mesh.httpClient()}. (Core
 * has no circuit breaker yet, so none is on.)
 *
 * <p>The honesty check: after every run, the mesh's request timer must have counted, and its rate
 * limiter admitted, exactly the calls the harness made. For the permit count to be exact the limit is a
 * bucket that cannot refill during a run and never empties: 1 permit per {@code max(60 s, 4 x run)},
 * burst about 4e18 ns / period (66 million for 60 s). Every admission then takes one permit from the
 * bucket, so {@code permits taken = burst - available}. The bucket is swapped for a fresh one (via
 * {@link Mesh#reconfigure}, with a burst one lower) before every run. Admission costs the same CAS as
 * any limit whose bucket is not empty.
 */
final class MeshLoadClient implements LoadClient {
  static final String SERVICE = "backend";
  private static final long MAX_TOLERANCE_NANOS = 4_000_000_000_000_000_000L; // the most mesh.*.rate-limit.burst accepts

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final int threads;
  private final Mesh mesh;
  private final OkHttpClient client;
  private final Request request;
  private int run;
  private int burst;
  private long timedBefore;
  private long retriesBefore;
  private long exhaustedBefore;
  private long ejectionsBefore;
  /** In mirror mode: a target that accepts connections and never answers (null otherwise). */
  private final java.net.ServerSocket blackHole;
  private final List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * What the service does besides balancing. {@code LOAD} is the load harness's mesh (least-request, the
   * defaults for the rest); the others are {@code run.sh tail}'s (issue 20), identical in both of its runs
   * (a user does not know in advance how an instance will go bad): retries on connect failures, resets and
   * 502/503/504 (the default {@code on}), 2 attempts, the second on another instance, within the default
   * budget (20% of recent requests + 10/s), without backoff (the retry goes to another instance, and the
   * budget, not a pause, is what protects the service; HAProxy's redispatch does not pause either).
   */
  enum Policy {
    LOAD("least-request", null, null),
    LEAST_REQUEST("least-request", TAIL_RETRY, ServiceConfig.OUTLIER_DETECTION_OFF),
    PEAK_EWMA("peak-ewma", TAIL_RETRY, ServiceConfig.OUTLIER_DETECTION_OFF),
    /**
     * Least-request with the default outlier detection (5 failures in a row eject for 30 s, at most 50%), slow
     * ejection at factor 5 (an instance whose mean latency over 1 s is over 5 times the median's) and failure
     * percentage at 10% (an instance with 10% of its calls over 1 s failed, judged once 3 instances have 20).
     */
    OUTLIER("least-request", TAIL_RETRY,
        OutlierConfig.DEFAULT.withSlowEjection(OutlierConfig.SlowEjection.factor(5)).withRateEjection(
            java.time.Duration.ofSeconds(1), new OutlierConfig.FailurePercentage(10, 20, 3),
            OutlierConfig.SuccessRate.OFF));

    final String balancer;
    final RetryConfig retry;
    final OutlierConfig outliers;

    Policy(String balancer, RetryConfig retry, OutlierConfig outliers) {
      this.balancer = balancer;
      this.retry = retry;
      this.outliers = outliers;
    }
  }

  private static final RetryConfig TAIL_RETRY = RetryConfig.DEFAULT.withBackoff(Duration.ZERO, Duration.ZERO);

  private final Policy policy;

  /**
   * @param mirror whether 10% of calls are also mirrored to a target that accepts and never answers
   *     (issue 7: the caller's p99 must stay within the noise)
   */
  MeshLoadClient(List<Integer> ports, int threads, String path, boolean mirror, Policy policy) {
    this.threads = threads;
    this.policy = policy;
    StaticServiceDiscovery.Builder discovery = StaticServiceDiscovery.builder();
    for (int port : ports) {
      discovery.instance(SERVICE, "http://127.0.0.1:" + port, 1, Map.of("version", "main"));
    }
    if (mirror) {
      try {
        blackHole = new java.net.ServerSocket(0, 1024, java.net.InetAddress.getByName("127.0.0.1"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(blackHole.accept());
          }
        } catch (java.io.IOException closed) {
          // closed at the end of the run
        }
      }, "black-hole");
      acceptor.setDaemon(true);
      acceptor.start();
      discovery.instance(SERVICE, "http://127.0.0.1:" + blackHole.getLocalPort(), 1, Map.of("version", "shadow"));
    } else {
      blackHole = null;
    }
    this.mesh = Mesh.builder()
        .config(config(Duration.ofSeconds(60)))
        .discovery("static", discovery.build())
        .meterRegistry(registry)
        .build();
    this.client = mesh.httpClient();
    this.request = new Request.Builder().url("http://" + SERVICE + path).build();
  }

  private MeshConfig config(Duration runLength) {
    Duration period = Duration.ofSeconds(Math.max(60, 4 * runLength.toSeconds() + 1));
    burst = (int) Math.min(Integer.MAX_VALUE - 1_000L, MAX_TOLERANCE_NANOS / period.toNanos()) - run;
    return MeshConfig.builder()
        .defaults(ServiceDefaults.DEFAULT.withConnectionPool(
            new ConnectionPoolConfig(threads, 256, Duration.ofMinutes(5))))
        .service(withMirror(ServiceConfig.builder(SERVICE)
            .loadBalancer(policy.balancer)
            .retry(policy.retry)
            .outlierDetection(policy.outliers)
            .rateLimit(new RateLimitConfig(1, period, burst, Duration.ZERO)))
            .build())
        .build();
  }

  /** All calls go to the main instances; in mirror mode 10% are also copied to the black hole. */
  private ServiceConfig.Builder withMirror(ServiceConfig.Builder service) {
    io.meshclient.core.config.RouteConfig route = io.meshclient.core.config.RouteConfig
        .to(io.meshclient.core.config.RouteConfig.Match.ANY, "main").withName("all");
    if (blackHole != null) {
      route = route.withMirror(io.meshclient.core.config.MirrorConfig.toSubset("shadow", 10).withMaxConcurrent(64));
    }
    return service.subset("main", Map.of("version", "main")).subset("shadow", Map.of("version", "shadow"))
        .route(route);
  }

  @Override
  public boolean call(int thread, long seq) throws Exception {
    return Bodies.drain(client.newCall(request).execute());
  }

  @Override
  public void beforeRun(Duration length) {
    run++;
    mesh.reconfigure(config(length));
    timedBefore = timedCalls();
    retriesBefore = count(MeshMetricNames.RETRIES);
    exhaustedBefore = count(MeshMetricNames.RETRY_BUDGET_EXHAUSTED);
    ejectionsBefore = count(MeshMetricNames.EJECTIONS);
  }

  @Override
  public Map<String, Object> afterRun(long calls) {
    long timed = timedCalls() - timedBefore;
    RateLimiter limiter = mesh.rateLimiterRegistry().find(SERVICE)
        .orElseThrow(() -> new IllegalStateException("no rate limiter named " + SERVICE + " in the mesh's registry"));
    long permits = burst - (long) limiter.getMetrics().getAvailablePermissions();
    Gauge gauge = registry.find("resilience4j.ratelimiter.available.permissions").tag("name", SERVICE).gauge();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("calls", calls);
    out.put("meshTimerCount", timed);
    out.put("limiterPermits", permits);
    out.put("limiterPermitsFromGauge", gauge == null ? null : (long) (burst - gauge.value()));
    out.put("connections", client.connectionPool().connectionCount());
    out.put("retries", count(MeshMetricNames.RETRIES) - retriesBefore);
    out.put("retryBudgetExhausted", count(MeshMetricNames.RETRY_BUDGET_EXHAUSTED) - exhaustedBefore);
    out.put("ejections", count(MeshMetricNames.EJECTIONS) - ejectionsBefore);
    if (timed != calls || permits != calls) {
      throw new IllegalStateException("honesty check failed: the harness made " + calls + " calls, the mesh's "
          + MeshMetricNames.REQUESTS + " timer counted " + timed + " and its rate limiter admitted " + permits);
    }
    return out;
  }

  /** The sum of the service's counters called {@code name} (all tags). */
  private long count(String name) {
    double n = 0;
    for (io.micrometer.core.instrument.Counter c : registry.find(name).tag(MeshMetricNames.SERVICE, SERVICE).counters()) {
      n += c.count();
    }
    return (long) n;
  }

  private long timedCalls() {
    long n = 0;
    for (Timer t : registry.find(MeshMetricNames.REQUESTS).tag(MeshMetricNames.SERVICE, SERVICE).timers()) {
      n += t.count();
    }
    return n;
  }

  @Override
  public void close() {
    mesh.close();
    if (blackHole != null) {
      try {
        blackHole.close();
        for (java.net.Socket s : held) {
          s.close();
        }
      } catch (java.io.IOException ignored) {
        // closing anyway
      }
    }
  }
}
