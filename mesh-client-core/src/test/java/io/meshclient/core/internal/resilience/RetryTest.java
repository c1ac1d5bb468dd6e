package io.meshclient.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RetryTest {
  private final RetryCounts counting = new RetryCounts();
  private final AtomicInteger retries = counting.retries;
  private final AtomicInteger exhausted = counting.exhausted;

  private Mesh mesh(InMemoryDiscovery discovery, ServiceConfig service) {
    return Mesh.builder().discovery("memory", discovery).listener(counting)
        .config(MeshConfig.builder().service(service).build()).build();
  }

  private static int call(Mesh mesh, Request request) throws IOException {
    try (Response response = mesh.httpClient().newCall(request).execute()) {
      return response.code();
    }
  }

  @Test
  void retryBudgetCapsRetriesAgainstABackendThatAlwaysFails() throws Exception {
    try (Backend failing = new Backend("f").status(503)) {
      ServiceConfig service = ServiceConfig.builder("api").loadBalancer("round-robin")
          .retry(RetryConfig.DEFAULT.withAttempts(3).withOn(Set.of(), Set.of(503))
              .withBackoff(Duration.ZERO, Duration.ZERO).withBudget(20, 10))
          .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
      try (Mesh mesh = mesh(new InMemoryDiscovery().set("api", List.of(failing.instance("api", Map.of()))), service)) {
        long seconds = 3;
        AtomicInteger offered = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          futures.add(pool.submit(() -> {
            Request request = new Request.Builder().url("http://api/x").build();
            while (System.nanoTime() < end) {
              offered.incrementAndGet();
              assertThat(call(mesh, request)).isEqualTo(503);
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        int attempts = failing.requests();
        System.out.printf("retry budget: offered=%d upstream attempts=%d ratio=%.3f retries=%d exhausted=%d%n",
            offered.get(), attempts, attempts / (double) offered.get(), retries.get(), exhausted.get());
        assertThat(attempts).isGreaterThanOrEqualTo((int) (1.15 * offered.get()));
        assertThat(attempts).isLessThanOrEqualTo((int) (1.2 * offered.get() + 10 * seconds));
        assertThat(exhausted.get()).isPositive();
      }
    }
  }

  @Test
  void retryGoesToAnInstanceNotYetTried() throws Exception {
    try (Backend bad = new Backend("bad").status(503); Backend good = new Backend("good")) {
      ServiceConfig service = ServiceConfig.builder("api").loadBalancer("random")
          .retry(RetryConfig.DEFAULT.withAttempts(2).withBackoff(Duration.ZERO, Duration.ZERO).withBudget(1000, 10))
          .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("api", List.of(bad.instance("api", Map.of()), good.instance("api", Map.of())));
      try (Mesh mesh = mesh(discovery, service)) {
        for (int i = 0; i < 200; i++) {
          assertThat(call(mesh, new Request.Builder().url("http://api/x").build())).isEqualTo(200);
        }
        assertThat(bad.requests()).isEqualTo(retries.get()).isPositive();
        assertThat(good.requests()).isEqualTo(200);
      }
    }
  }

  @Test
  void postIsNotRetriedOnA503UnlessItsRouteOptsIn() throws Exception {
    try (Backend bad = new Backend("bad").status(503)) {
      RetryConfig retry = RetryConfig.DEFAULT.withAttempts(3).withBackoff(Duration.ZERO, Duration.ZERO)
          .withBudget(1000, 10);
      ServiceConfig service = ServiceConfig.builder("api").retry(retry).subset("all", Map.of())
          .route(RouteConfig.to(RouteConfig.Match.path(io.meshclient.core.config.StringMatch.prefix("/safe")), "all")
              .withRetry(retry.allowingNonIdempotent()))
          .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
      try (Mesh mesh = mesh(new InMemoryDiscovery().set("api", List.of(bad.instance("api", Map.of()))), service)) {
        RequestBody body = RequestBody.create("{}", MediaType.get("application/json"));
        assertThat(call(mesh, new Request.Builder().url("http://api/orders").post(body).build())).isEqualTo(503);
        assertThat(bad.requests()).isEqualTo(1);
        assertThat(call(mesh, new Request.Builder().url("http://api/safe/orders").post(body).build())).isEqualTo(503);
        assertThat(bad.requests()).isEqualTo(1 + 3);
      }
    }
  }

  @Test
  void perTryTimeoutMovesAGetOffABlackHoledInstance() throws Exception {
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Backend good = new Backend("good")) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(blackHole.accept());
          }
        } catch (IOException closed) {
          // test over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      // The per-try timeout also bounds the attempt on the good instance, so it is kept well above what a
      // loaded 2-core machine may take for a first, cold request over loopback (200 ms was not); a call's
      // bound (10 s) has a wide margin and stays far below the 30 s a hole would hold it without the timeout.
      ServiceConfig service = ServiceConfig.builder("api").loadBalancer("round-robin").timeout(Duration.ofSeconds(30))
          .retry(RetryConfig.DEFAULT.withAttempts(2).withPerTryTimeout(Duration.ofSeconds(1)).withBudget(1000, 10)
              .withOn(Set.of(RetryConfig.Condition.TIMEOUT, RetryConfig.Condition.CONNECT_FAILURE), Set.of()))
          .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(
          new io.meshclient.api.ServiceInstance("hole", "api", "127.0.0.1", blackHole.getLocalPort(), false, 1,
              Map.of(), ""), good.instance("api", Map.of())));
      try (Mesh mesh = mesh(discovery, service)) {
        for (int i = 0; i < 6; i++) {
          long start = System.nanoTime();
          assertThat(call(mesh, new Request.Builder().url("http://api/x").build())).isEqualTo(200);
          assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
        }
        // ejection is off, so round-robin sends each new call to the hole first; each such attempt opened a
        // connection the hole accepted and never answered, and was retried on the good instance
        assertThat(retries.get()).isPositive().isEqualTo(accepted.size());
        assertThat(good.requests()).isEqualTo(6);
      } finally {
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }
}
