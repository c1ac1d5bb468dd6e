package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.ConsulDiscoveryMetrics.INSTANCES;
import static io.meshclient.discovery.consul.ConsulDiscoveryMetrics.LAST_UPDATE_AGE;
import static io.meshclient.discovery.consul.ConsulDiscoveryMetrics.WATCH_ERRORS;
import static io.meshclient.discovery.consul.ConsulDiscoveryMetrics.WATCH_LATENCY;
import static io.meshclient.discovery.consul.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsulDiscoveryMetricsTest {
  private static final String TOKEN = "b1gs3cr3t-t0k3n";

  private final ConsulEmulator consul = new ConsulEmulator();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ConsulDiscoveryMetrics metrics = new ConsulDiscoveryMetrics();
  private ServiceDiscovery discovery;

  @AfterEach
  void tearDown() {
    if (discovery != null) {
      discovery.close();
    }
    consul.close();
  }

  @Test
  void watchesReportLatencyAgeErrorsAndInstanceCountPerService() {
    consul.register(Registration.of("reviews", "r1", "10.0.0.1", 9080));
    consul.register(Registration.of("reviews", "r2", "10.0.0.2", 9080));
    metrics.bindTo(registry);
    discovery = new ConsulDiscoveryProvider(metrics)
        .create(Fixtures.fastSettings(consul.url()).aclToken(TOKEN).build());
    RecordingListener listener = new RecordingListener();
    discovery.watch("reviews", listener);
    listener.awaitSnapshot(1);

    consul.failWith(503);
    await(() -> registry.find(WATCH_ERRORS).counter() != null, Duration.ofSeconds(5), "an error counted");

    assertThat(registry.get(INSTANCES).tag("service", "reviews").gauge().value()).isEqualTo(2.0);
    assertThat(registry.get(WATCH_LATENCY).tag("service", "reviews").timer().count()).isPositive();
    assertThat(registry.get(LAST_UPDATE_AGE).tag("service", "reviews").timeGauge().value(TimeUnit.SECONDS))
        .isBetween(0.0, 5.0);
    Counter errors = registry.get(WATCH_ERRORS).tags("service", "reviews", "failure", "http_status").counter();
    assertThat(errors.count()).isPositive();
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().toString()).doesNotContain(TOKEN);
    }
  }

  @Test
  void lastUpdateAgeIsUnknownBeforeTheFirstAnswer() {
    metrics.bindTo(registry);
    metrics.onWatchStarted("ratings");

    assertThat(registry.get(LAST_UPDATE_AGE).tag("service", "ratings").timeGauge().value()).isNaN();
    assertThat(registry.get(INSTANCES).tag("service", "ratings").gauge().value()).isZero();
  }

  /** The README's recipe: a discovery the application creates with bound metrics, handed to the builder. */
  @Test
  void aDiscoveryTheApplicationCreatesWithBoundMetricsRecordsTheMeters() {
    consul.register(Registration.of("reviews", "r1", "127.0.0.1", 9080));
    metrics.bindTo(registry);
    discovery = new ConsulDiscoveryProvider(metrics)
        .create(new DiscoveryContext("mesh.discovery.consul", Map.of("url", consul.url())));
    try (Mesh mesh = Mesh.builder().config(MeshConfig.fromYaml("mesh: { services: { reviews: { discovery: consul } } }",
        name -> null)).discovery("consul", discovery).meterRegistry(registry).build()) {
      assertThat(mesh.instances("reviews")).hasSize(1);
      assertThat(registry.get(INSTANCES).tag("service", "reviews").gauge().value()).isEqualTo(1.0);
    }
  }

  /**
   * A discovery the mesh creates from mesh.discovery.consul records into the mesh's registry; when a reload
   * replaces it (its settings changed), the gauges read the new one, and they go with the mesh.
   */
  @Test
  void aDiscoveryTheMeshCreatesRecordsIntoTheMeshsRegistryAcrossAReloadUntilItCloses() {
    consul.register(Registration.of("reviews", "r1", "127.0.0.1", 9080));
    SimpleMeterRegistry meshOnly = new SimpleMeterRegistry();
    try (Mesh mesh = Mesh.builder().config(consulMesh("5s")).meterRegistry(meshOnly).build()) {
      assertThat(mesh.instances("reviews")).hasSize(1);
      assertThat(meshOnly.get(INSTANCES).tag("service", "reviews").gauge().value()).isEqualTo(1.0);
      assertThat(meshOnly.get(WATCH_LATENCY).tag("service", "reviews").timer().count()).isPositive();

      mesh.reload(() -> consulMesh("6s")); // another discovery, created before the first one closes
      consul.register(Registration.of("reviews", "r2", "127.0.0.2", 9080));
      await(() -> mesh.instances("reviews").size() == 2, Duration.ofSeconds(5), "the second instance seen");
      await(() -> meshOnly.get(INSTANCES).tag("service", "reviews").gauge().value() == 2.0, Duration.ofSeconds(5),
          "the gauge reading the new discovery");
      assertThat(meshOnly.find(INSTANCES).gauges()).hasSize(1);
    }
    assertThat(meshOnly.find(INSTANCES).meters()).isEmpty();
    assertThat(meshOnly.find(LAST_UPDATE_AGE).meters()).isEmpty();
  }

  private MeshConfig consulMesh(String wait) {
    return MeshConfig.fromYaml("mesh: { discovery: { consul: { url: '" + consul.url() + "', wait: " + wait
        + " } }, services: { reviews: {} } }", name -> null);
  }
}
