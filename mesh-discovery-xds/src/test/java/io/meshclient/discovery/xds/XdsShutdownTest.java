package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code mesh.close()}, and a build refused after the xds discovery started, with a discovery the mesh created
 * from its configuration: the ADS stream ends at the control plane and no thread of the mesh, its discovery or
 * its gRPC channel is left.
 */
@Timeout(60)
class XdsShutdownTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");

  ControlPlane controlPlane;
  Backends backends;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane();
    backends = new Backends("v1");
    controlPlane.set(Resources.snapshot("1", List.of(listener("reviews:9080", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews", "reviews:9080"), split(Map.of(V1, 100)))),
        List.of(cluster(V1)), List.of(endpoints(V1, backends.port("v1")))));
  }

  @AfterEach
  void stop() throws Exception {
    backends.close();
    controlPlane.close();
  }

  private Map<String, Object> xds() {
    return Map.of("server-uri", controlPlane.target(), "node-id", "test~reviews", "services", Map.of("reviews", 9080),
        "initial-wait", "10s");
  }

  /** Live threads by name; the control plane's and the backends' started before this is first read. */
  private static Set<String> threads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The threads started since {@code before} still alive after a bounded wait, once the control plane and the
   * backends have stopped too (gRPC's shared event loop and executor, which the control plane's server uses as
   * well, end about a second after the last server or channel using them is shut down).
   */
  private Set<String> threadsLeft(Set<String> before) throws InterruptedException {
    backends.close();
    controlPlane.close();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Set<String> left;
    do {
      Thread.sleep(100);
      left = threads();
      left.removeAll(before);
      // OkHttp's shared task runner and Okio's timeout watchdog, one per JVM, end on their own after a minute idle
      left.removeIf(name -> name.startsWith("OkHttp TaskRunner") || name.equals("Okio Watchdog"));
    } while (!left.isEmpty() && System.nanoTime() - deadline < 0);
    return left;
  }

  @Test
  void closingTheMeshEndsTheStreamAndEveryThreadItStarted() throws Exception {
    Set<String> before = threads();
    Mesh mesh = Mesh.builder().config(MeshConfig.builder().discovery("xds", xds()).build()).build();
    assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("v1");
    assertThat(threads()).anyMatch(name -> name.startsWith("mesh-xds"));
    assertThat(controlPlane.streamCloses()).isZero();

    long start = System.nanoTime();
    mesh.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    Load.await(() -> controlPlane.streamCloses() == 1, Duration.ofSeconds(5), "the ADS stream to end at the server");
    assertThat(threadsLeft(before)).as("threads left after closing the mesh").isEmpty();
  }

  @Test
  void aBuildRefusedAfterTheDiscoveryStartedEndsItsStreamAndThreads() throws Exception {
    Set<String> before = threads();
    MeshConfig config = MeshConfig.fromMap(Map.of("mesh", Map.of("discovery", Map.of("xds", xds()),
        "services", Map.of("ratings", Map.of("discovery", "consul")))));

    assertThatThrownBy(() -> Mesh.builder().config(config).build()).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.ratings.discovery: consul (expected: one of the configured "
            + "discoveries [xds])");

    assertThat(controlPlane.streamOpens()).as("the discovery had started").isNotEmpty();
    Load.await(() -> controlPlane.streamCloses() == controlPlane.streamOpens().size(), Duration.ofSeconds(5),
        "the ADS stream to end at the server");
    assertThat(threadsLeft(before)).as("threads left after the refused build").isEmpty();
  }
}
