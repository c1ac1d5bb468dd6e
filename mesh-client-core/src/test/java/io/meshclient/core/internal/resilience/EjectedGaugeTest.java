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
}
