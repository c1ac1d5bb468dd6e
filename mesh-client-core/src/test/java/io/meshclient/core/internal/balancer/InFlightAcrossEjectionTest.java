package io.meshclient.core.internal.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.HostilePeer;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshInternals;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.SubsetRuntime;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call still in flight to an instance while it is ejected and returns: the least-request balancer's count
 * of that instance must come back to zero when the call ends, not below.
 */
@Timeout(30)
class InFlightAcrossEjectionTest {
  private final FakeTicker ticker = new FakeTicker();
  private final CountDownLatch release = new CountDownLatch(1);

  /** {@code /fail} gets a 503; {@code /hold} waits for {@link #release} if it {@code holds}; the rest a 200. */
  private HostilePeer peer(boolean holds) throws IOException {
    return new HostilePeer((socket, head) -> {
      if (head.startsWith("GET /fail")) {
        HostilePeer.write(socket, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      if (holds && head.startsWith("GET /hold") && !release.await(20, TimeUnit.SECONDS)) {
        return;
      }
      HostilePeer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    });
  }

  private static int get(Mesh mesh, String path) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api" + path).build())
        .execute()) {
      return response.code();
    }
  }

  @Test
  void aCallThatOutlivesItsInstancesEjectionAndReturnLeavesItsInFlightCountAtZero() throws Exception {
    callOnAnInstanceEjectedMeanwhile(false);
  }

  @Test
  void aCallThatEndsWhileItsInstanceIsEjectedIsCountedDownBeforeTheInstanceReturns() throws Exception {
    callOnAnInstanceEjectedMeanwhile(true);
  }

  /** A call held by s while s is ejected and returns; it ends while s is out ({@code endWhileOut}) or after. */
  private void callOnAnInstanceEjectedMeanwhile(boolean endWhileOut) throws Exception {
    try (HostilePeer s = peer(true); HostilePeer b = peer(false); HostilePeer c = peer(false)) {
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(
          s.instance("api", "s", Map.of("role", "s")), b.instance("api", "b", Map.of("role", "o")),
          c.instance("api", "c", Map.of("role", "o"))));
      // /fail goes to subset s (only instance s); everything else to the whole service, by least request.
      // The subsets share the service's outlier detector, so a 503 on /fail ejects s for every call.
      try (Mesh mesh = Mesh.builder().ticker(ticker).discovery("memory", discovery).config(MeshConfig.fromYaml("""
          mesh:
            services:
              api:
                load-balancer: least-request
                subsets: { s: { role: s } }
                routes:
                  - match: { path: { prefix: /fail } }
                    to: s
                retry: { attempts: 1 }
                outlier-detection: { consecutive-failures: 1, base-ejection: 30s, max-ejected: 50% }
              """, name -> null)).build()) {
        SubsetRuntime all = MeshInternals.runtime(mesh).service("api").all();
        StatefulBalancer balancer = (StatefulBalancer) all.balancer();
        ServiceInstance onS = all.instances().get(0);

        CompletableFuture<Integer> held = holdOn(s, mesh);
        assertThat(balancer.table.stats(onS).inFlight.get()).isEqualTo(1);

        assertThat(get(mesh, "/fail")).isEqualTo(503); // s ejected
        assertThat(mesh.snapshot().services().get("api").instances().get(0).ejected()).isTrue();
        assertThat(get(mesh, "/other")).isEqualTo(200); // picked from b and c only
        if (endWhileOut) {
          release.countDown();
          assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        }
        ticker.advance(Duration.ofSeconds(31));
        for (int i = 0; i < 6; i++) {
          assertThat(get(mesh, "/other")).isEqualTo(200); // s is back among the candidates
        }
        assertThat(mesh.snapshot().services().get("api").instances().get(0).ejected()).isFalse();

        release.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(balancer.table.instances).hasSize(3);
        assertThat(balancer.table.stats(onS).inFlight.get()).as("s's calls in flight, all ended").isZero();
      }
    }
  }

  /** A /hold call that lands on {@code s} (least request with nothing in flight draws at random). */
  private static CompletableFuture<Integer> holdOn(HostilePeer s, Mesh mesh) throws Exception {
    for (int i = 0; i < 100; i++) {
      CompletableFuture<Integer> call = enqueue(mesh, "/hold");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (s.connections.get() == 0 && !call.isDone() && System.nanoTime() < until) {
        Thread.sleep(2);
      }
      if (s.connections.get() > 0) {
        return call;
      }
      assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(200); // answered by another instance at once
    }
    throw new AssertionError("no /hold call landed on " + s);
  }

  /**
   * A call still running on an instance that the discovery drops and lists again: the instance comes back
   * with new statistics, which never counted the call, so its end must not take them below zero (at -1
   * least request would favour the instance for good).
   */
  @Test
  void aCallThatOutlivesItsInstancesRemovalByDiscoveryAndReturnLeavesItsInFlightCountAtZero() throws Exception {
    try (HostilePeer s = peer(true); HostilePeer b = peer(false); HostilePeer c = peer(false)) {
      ServiceInstance onS = s.instance("api", "s", Map.of());
      ServiceInstance onB = b.instance("api", "b", Map.of());
      ServiceInstance onC = c.instance("api", "c", Map.of());
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(onS, onB, onC));
      try (Mesh mesh = Mesh.builder().discovery("memory", discovery).config(MeshConfig.fromYaml("""
          mesh:
            services:
              api:
                load-balancer: least-request
                retry: { attempts: 1 }
              """, name -> null)).build()) {
        SubsetRuntime all = MeshInternals.runtime(mesh).service("api").all();
        StatefulBalancer balancer = (StatefulBalancer) all.balancer();
        CompletableFuture<Integer> held = holdOn(s, mesh);
        assertThat(balancer.table.stats(onS).inFlight.get()).isEqualTo(1);

        discovery.set("api", List.of(onB, onC)); // s leaves the list while its call runs...
        assertThat(get(mesh, "/other")).isEqualTo(200);
        discovery.set("api", List.of(onS, onB, onC)); // ...and comes back
        assertThat(get(mesh, "/other")).isEqualTo(200);
        assertThat(balancer.table.instances).hasSize(3);

        release.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        ServiceInstance back = balancer.table.instances.stream().filter(i -> i.id().equals("s")).findFirst().orElseThrow();
        assertThat(balancer.table.stats(back).inFlight.get()).as("s's calls in flight, all ended").isZero();
      }
    }
  }

  private static CompletableFuture<Integer> enqueue(Mesh mesh, String path) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    mesh.httpClient().newCall(new Request.Builder().url("http://api" + path).build()).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        result.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          result.complete(response.code());
        }
      }
    });
    return result;
  }
}
