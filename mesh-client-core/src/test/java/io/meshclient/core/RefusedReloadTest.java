package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A refused reload changes nothing: the rate limiters and circuit breakers its swap would have made are not put in
 * the registries, and those in force stay there, with their state, for the reloads that follow, as the retry budgets
 * in force do.
 */
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
}
