package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.meshclient.core.config.BreakerConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a mesh leaves in the application's hands: a refused build leaves no meter and no watch behind, the
 * application's own breakers, in a registry it supplied, are not the mesh's to remove, and a closed mesh leaves
 * nothing attached to the registries the application supplied. Closing itself:
 * {@link MeshCloseTest}.
 */
@Timeout(30)
class MeshLeavesNothingBehindTest {
  private final InMemoryDiscovery discovery = new InMemoryDiscovery();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  /** The application's registries, for the tests that give them to the mesh. */
  private final io.github.resilience4j.ratelimiter.RateLimiterRegistry limiters =
      io.github.resilience4j.ratelimiter.RateLimiterRegistry.ofDefaults();
  private final io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry breakers =
      io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults();

  @Test
  void aMeshThatFailsToBuildLeavesNoMeterBehind() {
    MeshConfig config = MeshConfig.builder().service(ServiceConfig.builder("reviews").discovery("nope").build())
        .build();

    assertThatThrownBy(() -> Mesh.builder().config(config).discovery("memory", discovery).meterRegistry(meters).build())
        .isInstanceOf(io.meshclient.api.ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.discovery: nope (expected: one of the configured discoveries "
            + "[memory])");
    assertThat(meterNames()).isEmpty();
    assertThat(discovery.watcherCount("reviews")).isZero();
  }

  /**
   * A discovery that refuses its watches fails the build, and the watches already started on the other
   * discoveries are closed: the refused mesh is never returned, so nobody else could close them.
   */
  @Test
  void aBuildWhoseDiscoveryRefusesItsWatchClosesTheWatchesItStartedOnTheOthers() {
    MeshConfig config = MeshConfig.builder()
        .service(ServiceConfig.builder("reviews").discovery("memory").build())
        .service(ServiceConfig.builder("ratings").discovery("refusing").build())
        .build();

    assertThatThrownBy(() -> Mesh.builder().config(config).discovery("memory", discovery)
        .discovery("refusing", refusing()).meterRegistry(meters).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("registry unreachable");
    assertThat(discovery.watcherCount("reviews")).as("the watch of reviews, started before ratings' failed")
        .isZero();
    assertThat(meterNames()).isEmpty();
  }

  /** The application's own breakers, in a registry it gave the mesh, are not the mesh's to remove. */
  @Test
  void theApplicationsOwnBreakersInTheRegistryItSuppliedOutliveTheMesh() {
    io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry registry =
        io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults();
    CircuitBreaker payments = registry.circuitBreaker("payments");
    ServiceConfig reviews = ServiceConfig.builder("reviews").circuitBreaker(BreakerConfig.DEFAULT).build();

    Mesh mesh = Mesh.builder().config(MeshConfig.builder().service(reviews).build()).discovery("memory", discovery)
        .circuitBreakerRegistry(registry).build();
    assertThat(registry.getAllCircuitBreakers()).extracting(CircuitBreaker::getName)
        .containsExactlyInAnyOrder("payments", "reviews");
    mesh.reconfigure(MeshConfig.builder().build());
    assertThat(registry.getAllCircuitBreakers()).extracting(CircuitBreaker::getName).containsExactly("payments");
    mesh.reconfigure(MeshConfig.builder().service(reviews).build());
    mesh.close();

    assertThat(registry.getAllCircuitBreakers()).containsExactly(payments);
  }

  /**
   * The meters of the mesh's limiters and breakers came from a binding of the registries to the meter registry
   * (resilience4j's TaggedRateLimiterMetrics), and a resilience4j registry keeps its event consumers for good: once
   * the mesh was closed, a limiter or breaker the application added to the registry it had supplied still got
   * meters in the application's meter registry, from a mesh long gone; and the application's own ones got meters
   * from the mesh, left behind by its close.
   */
  @Test
  void aClosedMeshGivesNoMeterToWhatTheApplicationAddsLaterToTheRegistriesItSupplied() {
    limiters.rateLimiter("inventory");
    breakers.circuitBreaker("inventory");
    ServiceConfig reviews = ServiceConfig.builder("reviews").circuitBreaker(BreakerConfig.DEFAULT)
        .rateLimit(io.meshclient.core.config.RateLimitConfig.perSecond(1000, 100)).build();

    Mesh mesh = Mesh.builder().config(MeshConfig.builder().service(reviews).build()).discovery("memory", discovery)
        .rateLimiterRegistry(limiters).circuitBreakerRegistry(breakers).meterRegistry(meters).build();
    assertThat(meterNames()).contains("resilience4j.ratelimiter.available.permissions",
        "resilience4j.circuitbreaker.state");
    assertThat(meters.getMeters()).extracting(m -> m.getId().getTag("name")).as("the application's own: not the mesh's")
        .doesNotContain("inventory");
    mesh.close();
    limiters.rateLimiter("payments");
    breakers.circuitBreaker("payments");

    assertThat(meterNames()).isEmpty();
  }

  /**
   * A build refused after the mesh put the limiters and breakers of its services in the registries the application
   * supplied takes them out, with their meters: the refused runtime was never closed, so they stayed for good.
   */
  @Test
  void aRefusedBuildLeavesNoLimiterOrBreakerInTheRegistriesTheApplicationSupplied() {
    MeshConfig config = MeshConfig.builder()
        .service(ServiceConfig.builder("reviews").discovery("memory").circuitBreaker(BreakerConfig.DEFAULT)
            .rateLimit(io.meshclient.core.config.RateLimitConfig.perSecond(1000, 100)).build())
        .service(ServiceConfig.builder("ratings").discovery("refusing").build())
        .build();

    assertThatThrownBy(() -> Mesh.builder().config(config).discovery("memory", discovery)
        .discovery("refusing", refusing()).rateLimiterRegistry(limiters).circuitBreakerRegistry(breakers)
        .meterRegistry(meters).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("registry unreachable");
    assertThat(limiters.getAllRateLimiters()).isEmpty();
    assertThat(breakers.getAllCircuitBreakers()).isEmpty();
    assertThat(meterNames()).isEmpty();
  }

  /** A discovery whose every watch fails, as one whose registry cannot be reached. */
  private static io.meshclient.api.ServiceDiscovery refusing() {
    return new io.meshclient.api.ServiceDiscovery() {
      @Override
      public Watch watch(String service, Listener listener) {
        throw new IllegalStateException("registry unreachable");
      }

      @Override
      public void close() {}
    };
  }

  private List<String> meterNames() {
    return meters.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).distinct().sorted().toList();
  }
}
