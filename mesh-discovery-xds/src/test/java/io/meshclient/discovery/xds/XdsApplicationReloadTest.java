package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The application's settings for a service xDS describes (its timeout, rate limit...) apply as soon as the
 * application reloads them, not at xDS's next push: the services are mapped again from the new configuration.
 */
class XdsApplicationReloadTest {
  static final String CLUSTER = istio(80, "", "slow.default.svc.cluster.local");

  ControlPlane controlPlane;
  ScriptedBackend backend;
  XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backend = new ScriptedBackend("slow").after(600);
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    controlPlane.close();
  }

  Snapshot slow() {
    return Resources.snapshot("1", List.of(listener("slow:80", "slow-routes")),
        List.of(routes("slow-routes", List.of("slow:80", "slow"), split(Map.of(CLUSTER, 100)))),
        List.of(cluster(CLUSTER)), List.of(endpoints(CLUSTER, backend.port())));
  }

  /** The application calls slow, from xDS, with {@code settings} of its own. */
  static MeshConfig application(java.util.function.UnaryOperator<ServiceConfig.Builder> settings) {
    return MeshConfig.builder().service(settings.apply(ServiceConfig.builder("slow").discovery("xds")).build()).build();
  }

  @Test
  void theApplicationsNewTimeoutAndRateLimitApplyAtOnceWithoutAnXdsPush() throws Exception {
    controlPlane.set(slow());
    try (ServiceDiscovery xds = new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds",
            Map.of("server-uri", controlPlane.target(), "node-id", "test~productpage")));
        Mesh mesh = Mesh.builder().discovery("xds", xds)
            .config(application(s -> s.timeout(Duration.ofSeconds(5)))).build()) {
      Load.await(() -> {
        try {
          return Load.call(mesh, "http://slow/").equals("slow");
        } catch (java.io.IOException | RuntimeException e) {
          return false;
        }
      }, Duration.ofSeconds(10), "slow described by xDS and called");
      int requests = controlPlane.requests().size();

      mesh.reconfigure(application(s -> s.timeout(Duration.ofMillis(200))));
      long start = System.nanoTime();
      assertThatThrownBy(() -> Load.call(mesh, "http://slow/")).as("the application's new 200 ms timeout")
          .isInstanceOf(InterruptedIOException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(600));

      mesh.reconfigure(application(s -> s.timeout(Duration.ofSeconds(5)).rateLimit(RateLimitConfig.perSecond(1, 1))));
      assertThat(Load.call(mesh, "http://slow/")).isEqualTo("slow");
      assertThatThrownBy(() -> Load.call(mesh, "http://slow/")).as("the application's new rate limit")
          .isInstanceOf(RateLimitExceededException.class);

      assertThat(mesh.config().service("slow").routes()).as("xDS's routes still in force").hasSize(2);
      assertThat(controlPlane.requests()).as("no xDS request, so no push, meanwhile").hasSize(requests);
      assertThat(metrics.versions()).containsEntry("rds", "1");
    }
  }
}
