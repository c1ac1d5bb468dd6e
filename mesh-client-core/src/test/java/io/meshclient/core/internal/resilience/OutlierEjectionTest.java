package io.meshclient.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshListener;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class OutlierEjectionTest {
  private final FakeTicker ticker = new FakeTicker();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private Backend a;
  private Backend b;
  private Backend c;

  @BeforeEach
  void start() throws IOException {
    a = new Backend("a");
    b = new Backend("b");
    c = new Backend("c");
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    c.close();
  }

  private Mesh mesh(OutlierConfig outliers) {
    return mesh(ticker, events, outliers, a, b, c);
  }

  /** A round-robin mesh over {@code backends} as service {@code api}, its ejections and returns in {@code events}. */
  static Mesh mesh(FakeTicker ticker, List<String> events, OutlierConfig outliers, Backend... backends) {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api",
        java.util.Arrays.stream(backends).map(backend -> backend.instance("api", Map.of())).toList());
    return Mesh.builder().ticker(ticker).discovery("memory", discovery)
        .listener(new MeshListener() {
          @Override
          public void onEjected(String service, String instanceId, long nanos) {
            events.add("ejected " + instanceId + " for " + Duration.ofNanos(nanos));
          }

          @Override
          public void onReturned(String service, String instanceId) {
            events.add("returned " + instanceId);
          }
        })
        .config(MeshConfig.builder().service(ServiceConfig.builder("api").loadBalancer("round-robin")
            .retry(RetryConfig.NONE).outlierDetection(outliers).build()).build())
        .build();
  }

  static void send(Mesh mesh, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
        response.body().string();
      }
    }
  }

  @Test
  void failingInstanceIsEjectedOnItsNthConsecutiveFailureAndReturnsAfterBaseTime() throws Exception {
    c.status(503);
    try (Mesh mesh = mesh(new OutlierConfig(3, Duration.ofSeconds(30), Duration.ofMinutes(5), 50, 0))) {
      send(mesh, 8);
      assertThat(c.requests()).isEqualTo(2);
      assertThat(events).isEmpty();
      send(mesh, 1);
      send(mesh, 1);
      assertThat(c.requests()).isEqualTo(3);
      assertThat(events).containsExactly("ejected c for PT30S");
      send(mesh, 30);
      assertThat(c.requests()).as("ejected: no traffic").isEqualTo(3);
      ticker.advance(Duration.ofSeconds(29));
      send(mesh, 10);
      assertThat(c.requests()).isEqualTo(3);
      ticker.advance(Duration.ofSeconds(2));
      send(mesh, 3);
      assertThat(events).containsExactly("ejected c for PT30S", "returned c");
      assertThat(c.requests()).isEqualTo(4);
      send(mesh, 6);
      assertThat(events).as("second ejection lasts twice as long")
          .containsExactly("ejected c for PT30S", "returned c", "ejected c for PT1M");
    }
  }

  @Test
  void maxEjectedPercentCapsHowManyAreEjected() throws Exception {
    b.status(503);
    c.status(503);
    try (Mesh mesh = mesh(new OutlierConfig(2, Duration.ofSeconds(30), Duration.ofMinutes(5), 34, 0))) {
      send(mesh, 60);
      assertThat(events).hasSize(1);
    }
  }

  /** Round-robin over {@code discovery}'s "api", ejecting after 2 failures, 34%: one of 3 at a time; ejections in events. */
  private Mesh oneEjectedOfThree(InMemoryDiscovery discovery) {
    return Mesh.builder().ticker(ticker).discovery("memory", discovery)
        .listener(new MeshListener() {
          @Override
          public void onEjected(String service, String instanceId, long nanos) {
            events.add("ejected " + instanceId);
          }
        })
        .config(MeshConfig.builder().service(ServiceConfig.builder("api").loadBalancer("round-robin")
            .retry(RetryConfig.NONE)
            .outlierDetection(new OutlierConfig(2, Duration.ofSeconds(30), Duration.ofMinutes(5), 34, 0)).build())
            .build())
        .build();
  }

  @Test
  void anInstanceGoneFromDiscoveryWhileEjectedNoLongerCountsAgainstTheCap() throws Exception {
    // 34% of 3 instances: one may be ejected at a time. c fails and is ejected, then discovery replaces it
    // with d, which fails too: d must be ejected, as c is gone (its 30 s ejection has not ended).
    c.status(503);
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api",
        List.of(a.instance("api", Map.of()), b.instance("api", Map.of()), c.instance("api", Map.of())));
    try (Backend d = new Backend("d").status(503); Mesh mesh = oneEjectedOfThree(discovery)) {
      send(mesh, 6);
      assertThat(events).containsExactly("ejected " + c.instance("api", Map.of()).id());
      discovery.set("api", List.of(a.instance("api", Map.of()), b.instance("api", Map.of()), d.instance("api", Map.of())));
      send(mesh, 9);
      assertThat(events).containsExactly("ejected " + c.instance("api", Map.of()).id(),
          "ejected " + d.instance("api", Map.of()).id());
      int before = d.requests();
      send(mesh, 20);
      assertThat(d.requests()).as("d ejected: no traffic").isEqualTo(before);
    }
  }

  @Test
  void withEveryInstanceEjectedAndNoPanicTheCallIsRefusedSayingSo() throws Exception {
    a.status(503);
    b.status(503);
    c.status(503);
    try (Mesh mesh = mesh(new OutlierConfig(1, Duration.ofSeconds(30), Duration.ofMinutes(5), 100, 0))) {
      send(mesh, 3);
      assertThat(events).hasSize(3);
      int sent = a.requests() + b.requests() + c.requests();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> send(mesh, 1))
          .isInstanceOf(io.meshclient.api.NoHealthyInstanceException.class)
          .hasMessage("no healthy instance of service 'api': all 3 of its instances are ejected by outlier detection");
      assertThat(a.requests() + b.requests() + c.requests()).as("refused without I/O").isEqualTo(sent);
    }
  }

  @Test
  void panicGuardBalancesAcrossAllWhenTooFewAreHealthy() throws Exception {
    c.status(503);
    try (Mesh mesh = mesh(new OutlierConfig(2, Duration.ofSeconds(30), Duration.ofMinutes(5), 100, 70))) {
      send(mesh, 6);
      assertThat(events).containsExactly("ejected c for PT30S");
      int before = c.requests();
      send(mesh, 30);
      // 2 of 3 healthy is below the 70% panic threshold: all three take traffic again
      assertThat(c.requests() - before).isEqualTo(10);
    }
  }

  @Test
  void failuresOfCallsStillInFlightToAnInstanceDiscoveryRemovedDoNotEjectIt() throws Exception {
    // 34% of 3 instances: one may be ejected at a time. Two calls to b are in flight when discovery replaces
    // b with d; they then fail. b is gone: it must not be ejected and so keep c, failing next, from being.
    java.util.concurrent.CountDownLatch atB = new java.util.concurrent.CountDownLatch(2);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    b.status(503).onRequest(() -> {
      atB.countDown();
      release.await();
    });
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api",
        List.of(a.instance("api", Map.of()), b.instance("api", Map.of()), c.instance("api", Map.of())));
    try (Backend d = new Backend("d"); Mesh mesh = oneEjectedOfThree(discovery)) {
      List<okhttp3.Call> calls = new java.util.ArrayList<>();
      List<java.util.concurrent.CompletableFuture<Integer>> statuses = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) { // round-robin: two of the six go to b
        okhttp3.Call call = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build());
        java.util.concurrent.CompletableFuture<Integer> status = new java.util.concurrent.CompletableFuture<>();
        call.enqueue(new okhttp3.Callback() {
          @Override
          public void onFailure(okhttp3.Call c, IOException e) {
            status.completeExceptionally(e);
          }

          @Override
          public void onResponse(okhttp3.Call c, Response response) {
            response.close();
            status.complete(response.code());
          }
        });
        calls.add(call);
        statuses.add(status);
      }
      assertThat(atB.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("two calls held at b").isTrue();
      discovery.set("api", List.of(a.instance("api", Map.of()), c.instance("api", Map.of()), d.instance("api", Map.of())));
      release.countDown();
      for (var status : statuses) {
        status.get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
      c.status(503);
      send(mesh, 6);
      assertThat(events).containsExactly("ejected " + c.instance("api", Map.of()).id());
      int before = c.requests();
      send(mesh, 20);
      assertThat(c.requests()).as("c ejected: no traffic").isEqualTo(before);
    }
  }
}
