package io.meshclient.core.internal.resilience;

import static io.meshclient.core.internal.resilience.OutlierEjectionTest.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The "ejected now" gauge counts instances that are ejected now: an ejected instance that discovery
 * removes, or whose service or outlier settings a reload replaces, is no longer counted (pods that fail
 * and are replaced must not make it grow for ever).
 */
@Timeout(30)
class EjectedGaugeTest {
  private final FakeTicker ticker = new FakeTicker();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OutlierConfig ejectAfterTwo = new OutlierConfig(2, Duration.ofSeconds(30), Duration.ofMinutes(5), 50, 0);
  private Backend a;
  private Backend b;

  @BeforeEach
  void start() throws Exception {
    a = new Backend("a");
    b = new Backend("b").status(503);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  private MeshConfig config(OutlierConfig outliers, String... services) {
    MeshConfig.Builder config = MeshConfig.builder();
    for (String service : services) {
      config.service(ServiceConfig.builder(service).loadBalancer("round-robin").retry(RetryConfig.NONE)
          .outlierDetection(outliers).build());
    }
    return config.build();
  }

  private double ejectedNow(String service) {
    Gauge gauge = registry.find(MeshMetricNames.EJECTED).tag(MeshMetricNames.SERVICE, service).gauge();
    return gauge == null ? 0 : gauge.value();
  }

  @Test
  void anEjectedInstanceThatDiscoveryRemovesIsNoLongerCountedAsEjected() throws Exception {
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("api", List.of(a.instance("api", Map.of()), b.instance("api", Map.of())));
    try (Backend c = new Backend("c");
        Mesh mesh = Mesh.builder().ticker(ticker).discovery("memory", discovery).meterRegistry(registry)
            .config(config(ejectAfterTwo, "api")).build()) {
      send(mesh, 4);
      assertThat(ejectedNow("api")).as("b ejected").isEqualTo(1);
      discovery.set("api", List.of(a.instance("api", Map.of()), c.instance("api", Map.of())));
      assertThat(ejectedNow("api")).as("b gone, none ejected").isZero();
      ticker.advance(Duration.ofMinutes(1));
      send(mesh, 4);
      assertThat(ejectedNow("api")).isZero();
    }
  }

  @Test
  void ejectionsEndedByAReloadAreNoLongerCounted() throws Exception {
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("api", List.of(a.instance("api", Map.of()), b.instance("api", Map.of())))
        .set("other", List.of(a.instance("other", Map.of()), b.instance("other", Map.of())));
    try (Mesh mesh = Mesh.builder().ticker(ticker).discovery("memory", discovery).meterRegistry(registry)
        .config(config(ejectAfterTwo, "api", "other")).build()) {
      send(mesh, 4);
      assertThat(ejectedNow("api")).as("b ejected").isEqualTo(1);
      mesh.reconfigure(config(new OutlierConfig(3, Duration.ofSeconds(30), Duration.ofMinutes(5), 50, 0), "api",
          "other"));
      assertThat(ejectedNow("api")).as("new outlier settings start afresh: none ejected").isZero();
      send(mesh, 6);
      assertThat(ejectedNow("api")).as("b ejected again under the new settings").isEqualTo(1);
      mesh.reconfigure(config(ejectAfterTwo, "other"));
      assertThat(ejectedNow("api")).as("service removed").isZero();
    }
  }

  @Test
  void anInstanceEjectedAgainBeforeItsExpiredEjectionWasNoticedIsCountedOnce() throws Exception {
    // Two calls to b are held while b is ejected; its ejection ends with no call to notice; the two then
    // fail and eject b again. The gauge must say one ejected, and none once that ejection ends too.
    java.util.concurrent.atomic.AtomicInteger toHold = new java.util.concurrent.atomic.AtomicInteger(2);
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(2);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    b.onRequest(() -> {
      if (toHold.getAndDecrement() > 0) {
        held.countDown();
        release.await();
      }
    });
    try (Backend c = new Backend("c");
        Mesh mesh = Mesh.builder().ticker(ticker).meterRegistry(registry)
            .discovery("memory", new InMemoryDiscovery().set("api",
                List.of(a.instance("api", Map.of()), b.instance("api", Map.of()), c.instance("api", Map.of()))))
            .config(config(ejectAfterTwo, "api")).build()) {
      List<java.util.concurrent.CompletableFuture<Void>> done = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) { // round-robin: two of the six go to b, and are held
        java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
        mesh.httpClient().newCall(new okhttp3.Request.Builder().url("http://api/x").build())
            .enqueue(new okhttp3.Callback() {
              @Override
              public void onFailure(okhttp3.Call call, java.io.IOException e) {
                f.completeExceptionally(e);
              }

              @Override
              public void onResponse(okhttp3.Call call, okhttp3.Response response) {
                response.close();
                f.complete(null);
              }
            });
        done.add(f);
      }
      assertThat(held.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("two calls held at b").isTrue();
      send(mesh, 6);
      assertThat(ejectedNow("api")).as("b ejected").isEqualTo(1);
      ticker.advance(Duration.ofSeconds(31)); // b's ejection has ended; no call has looked yet
      release.countDown();
      for (var f : done) {
        f.get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
      assertThat(ejectedNow("api")).as("b ejected again").isEqualTo(1);
      ticker.advance(Duration.ofMinutes(2));
      b.status(200);
      send(mesh, 3);
      assertThat(ejectedNow("api")).as("b's second ejection ended").isZero();
    }
  }
}
