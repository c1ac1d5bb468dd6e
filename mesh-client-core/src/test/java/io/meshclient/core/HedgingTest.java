package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hedged requests against real servers on 127.0.0.1: who answers, what the servers see, what it costs. */
@Timeout(90)
class HedgingTest {
  private final List<Server> servers = new ArrayList<>();
  private final ExecutorService handlers = Executors.newCachedThreadPool();

  /** A server that answers after a delay (or with a status), counting requests and the responses it could not write. */
  private static final class Server {
    final HttpServer http;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();
    final AtomicInteger resets = new AtomicInteger();
    volatile long delayMillis;
    volatile int status = 200;

    Server(String name, ExecutorService executor) throws IOException {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      http.setExecutor(executor);
      http.createContext("/", exchange -> {
        requests.incrementAndGet();
        if (exchange.getRequestMethod().equals("POST")) {
          posts.incrementAndGet();
        }
        exchange.getRequestBody().readAllBytes();
        try {
          long delay = delayMillis;
          if (delay > 0) {
            Thread.sleep(delay);
          }
          // A slow answer is long and written in chunks, so a write after the client reset it fails.
          byte[] chunk = (name + " ").repeat(delay > 100 ? 16_384 : 2_000).getBytes(StandardCharsets.UTF_8);
          int chunks = delay > 100 ? 64 : 1;
          exchange.sendResponseHeaders(status, (long) chunk.length * chunks);
          for (int i = 0; i < chunks; i++) {
            exchange.getResponseBody().write(chunk);
            exchange.getResponseBody().flush();
          }
        } catch (IOException e) {
          resets.incrementAndGet(); // the client reset the connection: a cancelled hedge loser
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          exchange.close();
        }
      });
      http.start();
    }

    ServiceInstance instance(String id) {
      return ServiceInstance.builder("api", "127.0.0.1", http.getAddress().getPort()).id(id).build();
    }
  }

  private Server server(String name) throws IOException {
    Server s = new Server(name, handlers);
    servers.add(s);
    return s;
  }

  @AfterEach
  void stop() {
    servers.forEach(s -> s.http.stop(0));
    handlers.shutdownNow();
  }

  private static Mesh mesh(String hedge, InMemoryDiscovery discovery, SimpleMeterRegistry registry) {
    return Mesh.builder().config(MeshConfig.fromYaml("""
        mesh:
          services:
            api:
              load-balancer: round-robin
              outlier-detection: { enabled: false }
              retry: { attempts: 1, budget: 1000% }
              routes:
                - name: hedged
                  to: { service: api }
                  hedge: HEDGE
        """.replace("HEDGE", hedge), name -> null)).discovery("memory", discovery).meterRegistry(registry).build();
  }

  private static long timedGet(Mesh mesh) throws IOException {
    long start = System.nanoTime();
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).startsWith("fast ");
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  /**
   * A hedged attempt is its own call on the mesh's client, whose read timeout is {@code mesh.defaults.timeout}: it
   * used to time out there (300ms) although the service allows 5s; it now has the attempt's timeouts.
   */
  @Test
  void aHedgedAttemptWaitsAsLongAsTheServiceTimeoutAllowsNotTheMeshDefault() throws Exception {
    Server only = server("fast"); // the only instance, named as timedGet expects: its answer must win, however slow
    only.delayMillis = 800;
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(only.instance("only")));
    try (Mesh mesh = Mesh.builder().config(MeshConfig.fromYaml("""
        mesh:
          defaults: { timeout: 300ms }
          services:
            api:
              timeout: 5s
              outlier-detection: { enabled: false }
              retry: { attempts: 1 }
              routes:
                - to: { service: api }
                  hedge: { after: 2s }
        """, name -> null)).discovery("memory", discovery).build()) {
      assertThat(timedGet(mesh)).isGreaterThanOrEqualTo(800);
    }
    assertThat(only.requests.get()).isEqualTo(1);
  }

  @Test
  void aSlowInstanceIsHedgedAfterTheDelayTheFastAnswerWinsAndTheLoserIsReset() throws Exception {
    Server slow = server("slow");
    Server fast = server("fast");
    slow.delayMillis = 3_000; // far above the calls' bound (2 s), which has a loaded machine's margin
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(slow.instance("slow"), fast.instance("fast")));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<Long> millis = new ArrayList<>();
    try (Mesh mesh = mesh("{ after: 50ms }", discovery, registry)) {
      for (int i = 0; i < 10; i++) {
        millis.add(timedGet(mesh));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (slow.resets.get() < slow.requests.get() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      System.out.printf("hedging: call ms %s, slow requests %d, reset %d, fast %d%n", millis, slow.requests.get(),
          slow.resets.get(), fast.requests.get());
      assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(2_000));
      assertThat(fast.requests.get()).isEqualTo(10);
      assertThat(slow.requests.get()).isPositive();
      assertThat(slow.resets.get()).as("each slow loser's connection was reset").isEqualTo(slow.requests.get());
      // Each call whose first attempt went to the slow instance was hedged (fast answered all 10), and no
      // call is hedged twice. A fast first attempt slowed past 50 ms by a busy machine is hedged too, to the
      // slow instance, and that hedge may be cancelled before it reaches it: so at least one hedge per slow
      // request, at most one per call (equal when the machine is quiet).
      assertThat(registry.counter("mesh.client.hedges", "service", "api", "route", "hedged").count())
          .isBetween((double) slow.requests.get(), 10.0);
    }
  }

  @Test
  void aPostIsNeverHedged() throws Exception {
    Server slow = server("slow");
    Server fast = server("fast");
    slow.delayMillis = 400;
    fast.delayMillis = 400;
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(slow.instance("slow"), fast.instance("fast")));
    try (Mesh mesh = mesh("{ after: 20ms, max-extra: 3 }", discovery, new SimpleMeterRegistry())) {
      for (int i = 0; i < 4; i++) {
        Request post = new Request.Builder().url("http://api/orders")
            .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
        try (Response r = mesh.httpClient().newCall(post).execute()) {
          assertThat(r.code()).isEqualTo(200);
        }
      }
    }
    assertThat(slow.posts.get() + fast.posts.get()).isEqualTo(4);
  }

  @Test
  void hedgesAndRetriesShareOneBudgetAgainstABackendFailingEveryCall() throws Exception {
    Server a = server("a");
    Server b = server("b");
    for (Server s : List.of(a, b)) {
      s.status = 503;
      s.delayMillis = 15;
    }
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(a.instance("a"), b.instance("b")));
    int calls = 300;
    long start = System.nanoTime();
    try (Mesh mesh = Mesh.builder().config(MeshConfig.fromYaml("""
        mesh:
          services:
            api:
              outlier-detection: { enabled: false }
              retry: { attempts: 3, backoff: { base: 0ms, max: 0ms }, budget: { percent: 20%, min-per-second: 10 } }
              routes:
                - to: { service: api }
                  hedge: { after: 5ms, max-extra: 2 }
        """, name -> null)).discovery("memory", discovery).build()) {
      for (int i = 0; i < calls; i++) {
        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
          assertThat(r.code()).isEqualTo(503);
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int upstream = a.requests.get() + b.requests.get();
    double cap = 1.2 * calls + 10 * (Math.ceil(seconds) + 1);
    System.out.printf("one budget: %d calls, %d upstream attempts in %.1f s (cap %.0f)%n", calls, upstream, seconds, cap);
    assertThat(upstream).isGreaterThan(calls).isLessThanOrEqualTo((int) cap);
  }

  @Test
  void aBudgetOnOneRouteIsRefusedSinceOneBudgetPerServiceCapsEveryRoute() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MeshConfig.fromYaml("""
        mesh:
          services:
            api:
              routes:
                - to: { service: api }
                  retry: { attempts: 3, budget: 50% }
        """, name -> null))
        .isInstanceOf(io.meshclient.api.ConfigurationException.class)
        .hasMessageContaining("mesh.services.api.routes[0].retry.budget: 50% (expected: set for the whole service");
  }

  @Test
  void inCodeARouteRetryFromTheConstantsUsesTheServiceBudgetAndAnyOtherBudgetIsRefused() {
    var route = io.meshclient.core.config.RouteConfig.to(io.meshclient.core.config.RouteConfig.Match.ANY, "all");
    var service = io.meshclient.core.config.ServiceConfig.builder("api").subset("all", Map.of());
    // NONE and DEFAULT carry no budget of their own: the route uses the service's.
    MeshConfig.builder().service(service.route(route.withRetry(io.meshclient.core.config.RetryConfig.NONE
        .withPerTryTimeout(java.time.Duration.ofMillis(100)))).build()).build();
    var own = io.meshclient.core.config.ServiceConfig.builder("api").subset("all", Map.of())
        .route(route.withRetry(io.meshclient.core.config.RetryConfig.DEFAULT.withBudget(50, 1)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MeshConfig.builder().service(own.build()).build())
        .isInstanceOf(io.meshclient.api.ConfigurationException.class)
        .hasMessageContaining("mesh.services.api.routes[0].retry.budget: 50%, 1/s (expected: the service's budget");
  }

  /**
   * An instance whose host is also the service's name (a compose file's "api"): each hedged attempt, a call of its
   * own addressed to it, went through the mesh again as a call to the service, hedged again, without end.
   */
  @Test
  void aHedgedAttemptToAnInstanceWhoseHostIsTheServicesNameGoesToThatInstance() throws Exception {
    try (Backend only = new Backend("fast")) {
      okhttp3.Dns dns = host -> "api".equals(host) ? List.of(java.net.InetAddress.getByName("127.0.0.1"))
          : okhttp3.Dns.SYSTEM.lookup(host);
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(
          new io.meshclient.api.ServiceInstance("a", "api", "api", only.port(), false, 1, Map.of(), "")));
      try (Mesh mesh = Mesh.builder().okHttpClient(new okhttp3.OkHttpClient.Builder().dns(dns).build())
          .config(MeshConfig.fromYaml("""
              mesh:
                services:
                  api:
                    outlier-detection: { enabled: false }
                    retry: { attempts: 1 }
                    routes:
                      - to: { service: api }
                        hedge: { after: 2s }
              """, name -> null)).discovery("memory", discovery).build()) {
        okhttp3.Call call = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build());
        call.timeout().timeout(5, TimeUnit.SECONDS);
        try (Response r = call.execute()) {
          assertThat(r.body().string()).isEqualTo("fast");
        }
      }
      assertThat(only.requests()).isEqualTo(1);
    }
  }
  /**
   * A hedge due while the mesh closes, in its grace period, is refused before any I/O ("mesh closed"): that says
   * nothing of the instance it was for, which is neither ejected nor retried for it. It was recorded as an I/O error
   * of that instance (ejected here at its first failure) and retried as a reset.
   */
  @Test
  void aHedgeRefusedBecauseTheMeshClosedBlamesNoInstance() throws Exception {
    Server first = server("fast");
    Server second = server("fast");
    // The hedge comes due 600 ms into the first attempt, which takes 1.5 s: close() must start in those 600 ms
    // (200 ms was too short for a loaded machine: the hedge went out before the close).
    first.delayMillis = 1500;
    second.delayMillis = 1500;
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(first.instance("a"),
        second.instance("b")));
    List<String> ejected = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> retries = new java.util.concurrent.CopyOnWriteArrayList<>();
    Mesh mesh = Mesh.builder().config(MeshConfig.fromYaml("""
        mesh:
          services:
            api:
              load-balancer: round-robin
              outlier-detection: { consecutive-failures: 1, max-ejected: 100% }
              retry: { attempts: 3, budget: 1000%, on: [reset, connect-failure] }
              routes:
                - to: { service: api }
                  hedge: { after: 600ms }
        """, name -> null)).discovery("memory", discovery).closeGracePeriod(java.time.Duration.ofSeconds(3))
        .listener(new MeshListener() {
          @Override
          public void onEjected(String service, String instanceId, long nanos) {
            ejected.add(instanceId);
          }

          @Override
          public void onRetry(String service, String reason) {
            retries.add(reason);
          }
        }).build();
    java.util.concurrent.Future<Long> call = handlers.submit(() -> timedGet(mesh));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (first.requests.get() + second.requests.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    mesh.close(); // the first attempt is in flight: the grace period lets it finish; the hedge is due meanwhile
    assertThat(call.get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(1500);
    assertThat(first.requests.get() + second.requests.get()).as("the hedge was not sent").isEqualTo(1);
    assertThat(ejected).as("no instance blamed for the refused hedge").isEmpty();
    assertThat(retries).isEmpty();
  }
}
