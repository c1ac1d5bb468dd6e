package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.config.ConnectionPoolConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.ServiceDefaults;
import java.io.IOException;
import java.time.Duration;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Multi-threaded traffic against three real loopback backends, observed from the servers' side. */
@Timeout(60)
class LoadBehaviourTest {
  private final List<Backend> backends = new ArrayList<>();
  private final InMemoryDiscovery discovery = new InMemoryDiscovery();

  @BeforeEach
  void start() throws IOException {
    for (int i = 0; i < 3; i++) {
      backends.add(new Backend("b" + i));
    }
    discovery.set("api", backends.stream().map(b -> b.instance("api", Map.of())).toList());
  }

  @AfterEach
  void stop() {
    backends.forEach(Backend::close);
  }

  private Mesh mesh(String balancer) {
    MeshConfig config = MeshConfig.builder()
        .defaults(ServiceDefaults.DEFAULT.withConnectionPool(new ConnectionPoolConfig(32, 256, Duration.ofMinutes(1))))
        .service(ServiceConfig.builder("api").loadBalancer(balancer).build())
        .build();
    return Mesh.builder().config(config).discovery("memory", discovery).build();
  }

  /** Sends {@code total} GETs from {@code threads} threads and returns how many failed. */
  private static int drive(Mesh mesh, int threads, int total) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger remaining = new AtomicInteger(total);
    AtomicInteger failures = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        Request request = new Request.Builder().url("http://api/item").build();
        while (remaining.getAndDecrement() > 0) {
          try (Response response = mesh.httpClient().newCall(request).execute()) {
            response.body().string();
          } catch (IOException e) {
            failures.incrementAndGet();
          }
        }
      }));
    }
    for (Future<?> f : futures) {
      f.get(50, TimeUnit.SECONDS);
    }
    pool.shutdown();
    return failures.get();
  }

  @Test
  void twentyThousandGetsFromSixteenThreadsOpenAtMostSixteenConnectionsPerBackend() throws Exception {
    try (Mesh mesh = mesh("round-robin")) {
      assertThat(drive(mesh, 16, 20_000)).isZero();
    }
    assertThat(backends.stream().mapToInt(Backend::requests).sum()).isEqualTo(20_000);
    System.out.println("connections per backend after 20000 GETs from 16 threads: "
        + backends.stream().map(b -> b.connections() + "").toList());
    for (Backend backend : backends) {
      assertThat(backend.connections()).as("connections seen by %s", backend).isBetween(1, 16);
    }
  }

  @Test
  void leastRequestSendsLessThanAFifthToABackendTenTimesSlower() throws Exception {
    backends.get(0).delay(2);
    backends.get(1).delay(2);
    backends.get(2).delay(20);
    try (Mesh mesh = mesh("least-request")) {
      assertThat(drive(mesh, 16, 3000)).isZero();
    }
    double slowShare = backends.get(2).requests() / 3000.0;
    assertThat(slowShare).isLessThan(0.20);

    int before = backends.get(2).requests();
    try (Mesh mesh = mesh("round-robin")) {
      assertThat(drive(mesh, 16, 600)).isZero();
    }
    double roundRobinShare = (backends.get(2).requests() - before) / 600.0;
    System.out.printf("share of the 10x slower backend: least-request %.3f, round-robin %.3f%n",
        slowShare, roundRobinShare);
    assertThat(roundRobinShare).isBetween(0.30, 0.37);
  }
}
