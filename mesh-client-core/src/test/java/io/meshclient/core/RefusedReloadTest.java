package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A refused reload changes nothing: the rate limiters and circuit breakers its swap would have made are not put in
 * the registries, and those in force stay there, with their state, for the reloads that follow, as the retry budgets
 * in force do; nor does one whose discovery refuses the watches it needs.
 */
@Timeout(30)
class RefusedReloadTest {
  private static MeshConfig config(String rate, String failureRate, String maxIdle, String timeout) {
    return MeshConfig.fromYaml("""
        mesh:
          defaults:
            timeout: TIMEOUT
            connection-pool: { max-idle-per-host: IDLE }
          services:
            reviews:
              rate-limit: { rate: RATE, burst: 10 }
              circuit-breaker: { failure-rate-threshold: FAILURES }
              retry: { attempts: 2, budget: FAILURES }
        """.replace("RATE", rate).replace("FAILURES", failureRate).replace("IDLE", maxIdle)
        .replace("TIMEOUT", timeout), name -> null);
  }

  /**
   * Before, the refused swap had already replaced them in the registries: the registries showed a limiter and a
   * breaker that no call used, and the next reload, comparing with the refused settings, replaced the ones in
   * force by new ones, their state lost, though it did not change their settings. The same went for the retry budget.
   */
  @Test
  void aRefusedReloadLeavesTheLimiterBreakerAndRetryBudgetInForce() {
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("reviews", List.of(ServiceInstance.builder("reviews", "127.0.0.1", 9).build()));
    try (Mesh mesh = Mesh.builder().config(config("100/s", "50%", "4", "2s")).discovery("memory", discovery)
        .build()) {
      RateLimiter limiter = mesh.rateLimiterRegistry().find("reviews").orElseThrow();
      CircuitBreaker breaker = mesh.circuitBreakerRegistry().find("reviews").orElseThrow();
      Object budget = mesh.runtime().service("reviews").budget();

      // a new pool is refused after the services' states are made
      assertThatThrownBy(() -> mesh.reconfigure(config("5/s", "20%", "16", "2s")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("max-idle-per-host: 16");
      assertThat(mesh.rateLimiterRegistry().find("reviews")).containsSame(limiter);
      assertThat(mesh.circuitBreakerRegistry().find("reviews")).containsSame(breaker);

      mesh.reconfigure(config("100/s", "50%", "4", "5s"));
      assertThat(mesh.rateLimiterRegistry().find("reviews")).as("its settings unchanged").containsSame(limiter);
      assertThat(mesh.circuitBreakerRegistry().find("reviews")).as("its settings unchanged").containsSame(breaker);
      assertThat(mesh.runtime().service("reviews").budget()).as("its settings unchanged").isSameAs(budget);
    }
  }

  /**
   * Before, the swap was in force before its new watches were started: the reload was refused ('registry
   * unreachable', counted as refused), yet config() gave its configuration, details was reported removed, the watch
   * of reviews on memory was closed, and reviews kept serving on the instances it had when the reload came, for good.
   */
  @Test
  void aReloadWhoseDiscoveryRefusesItsWatchesChangesNothing() throws Exception {
    List<Boolean> reconfigured = new CopyOnWriteArrayList<>();
    List<String> removed = new CopyOnWriteArrayList<>();
    MeshListener listener = new MeshListener() {
      @Override
      public void onReconfigure(boolean applied) {
        reconfigured.add(applied);
      }

      @Override
      public void onServiceRemoved(String service) {
        removed.add(service);
      }
    };
    try (Backend first = new Backend("reviews 1"); Backend second = new Backend("reviews 2");
        Backend moved = new Backend("reviews on synchronous")) {
      InMemoryDiscovery memory = new InMemoryDiscovery().set("reviews", List.of(first.instance("reviews", Map.of())))
          .set("details", List.of(first.instance("details", Map.of())));
      InMemoryDiscovery synchronous = new InMemoryDiscovery()
          .set("reviews", List.of(moved.instance("reviews", Map.of())));
      InMemoryDiscovery registry = new InMemoryDiscovery().set("ratings", List.of(first.instance("ratings", Map.of())));
      MeshConfig inForce = services("reviews", "memory", "details", "memory");
      try (Mesh mesh = Mesh.builder().config(inForce).discovery("memory", memory).discovery("refusing", refusing())
          .discovery("synchronous", synchronous).discovery("registry", registry.unlisted()).listener(listener)
          .build()) {
        assertThat(call(mesh)).isEqualTo("reviews 1");

        assertThatThrownBy(() -> mesh.reconfigure(services("ratings", "registry", "reviews", "refusing")))
            .isInstanceOf(IllegalStateException.class).hasMessage("registry unreachable");

        assertThat(reconfigured).containsExactly(false);
        assertThat(mesh.config()).isEqualTo(inForce);
        assertThat(removed).isEmpty();
        assertThat(registry.watcherCount("ratings")).as("the watch the refused reload started").isZero();
        assertThat(memory.watcherCount("reviews")).isEqualTo(1);
        assertThat(call(mesh)).isEqualTo("reviews 1");
        memory.set("reviews", List.of(second.instance("reviews", Map.of())));
        assertThat(call(mesh)).as("the watch in force still delivers").isEqualTo("reviews 2");

        // A watch that delivers as it starts, inside the swap: its instances are those the service starts on.
        mesh.reconfigure(services("reviews", "synchronous", "details", "memory"));
        assertThat(call(mesh)).isEqualTo("reviews on synchronous");
        assertThat(memory.watcherCount("reviews")).isZero();
      }
    }
  }

  /** {@code first} on the discovery {@code on}, {@code second} on {@code secondOn}. */
  private static MeshConfig services(String first, String on, String second, String secondOn) {
    return MeshConfig.builder().service(ServiceConfig.builder(first).discovery(on).build())
        .service(ServiceConfig.builder(second).discovery(secondOn).build()).build();
  }

  private static String call(Mesh mesh) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build())
        .execute()) {
      return response.body().string();
    }
  }

  /** A discovery whose every watch fails, as one whose registry cannot be reached. */
  private static ServiceDiscovery refusing() {
    return new ServiceDiscovery() {
      @Override
      public Watch watch(String service, Listener listener) {
        throw new IllegalStateException("registry unreachable");
      }

      @Override
      public void close() {}
    };
  }
}
