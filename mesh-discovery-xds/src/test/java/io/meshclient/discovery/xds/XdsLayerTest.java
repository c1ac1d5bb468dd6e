package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The services xDS lays over the application's configuration, against the mesh's reloads on other threads: a
 * reload lays only what the mesh accepted, never a candidate it is about to refuse.
 */
@Timeout(30)
class XdsLayerTest {
  static final String V1 = Resources.istio(9080, "v1", "reviews.default.svc.cluster.local");

  /** A discovery that lists one instance for any service. */
  static ServiceDiscovery fixed() {
    return new ServiceDiscovery() {
      @Override
      public Watch watch(String service, Listener listener) {
        listener.onSnapshot(List.of(ServiceInstance.of(service, "127.0.0.1", 9)));
        return () -> { };
      }

      @Override
      public void close() {
      }
    };
  }

  static MeshConfig application(String... services) {
    MeshConfig.Builder b = MeshConfig.builder();
    for (String s : services) {
      b.service(ServiceConfig.builder(s).discovery("fixed").build());
    }
    return b.build();
  }

  /** reviews' listener, routes, cluster and endpoints. */
  static XdsResources reviews() {
    XdsResources r = new XdsResources();
    r.listeners.put("reviews:9080", ListenerResource.decode(Any.pack(Resources.listener("reviews:9080", "rc"))));
    r.routes.put("rc", Resources.routes("rc", List.of("reviews"),
        Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1)));
    r.clusters.put(V1, ClusterResource.decode(Any.pack(Resources.cluster(V1)), Map.of()));
    r.endpoints.put(V1, EndpointResource.decode(Any.pack(Resources.endpoints(V1, 9081))));
    r.clustersKnown = true;
    return r;
  }

  /**
   * The candidate names discovery "xds", which this mesh does not have: the mesh refuses it. An application
   * reload holding the reload lock while xDS waits for it used to lay that candidate (xDS had published it
   * before taking the lock) and was refused for it, with xDS's error.
   */
  @Test
  void aReloadOnAnotherThreadWhileXdsWaitsToLayARefusedCandidateAppliesWithoutIt() throws Exception {
    try (Mesh mesh = Mesh.builder().discovery("fixed", fixed()).config(application("other")).build()) {
      XdsLayer layer = new XdsLayer("xds", Set.of("reviews"));
      layer.watching(Set.of("reviews"));
      layer.attach(mesh, fixed());
      layer.lay(Set.of(), Map.of(), Map.of(), Set.of(), Map.of());

      CountDownLatch reloading = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<MeshConfig> reload = CompletableFuture.supplyAsync(() -> mesh.reload(() -> {
        reloading.countDown(); // the supplier runs under the mesh's reload lock
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return application("other", "more");
      }));
      assertThat(reloading.await(10, TimeUnit.SECONDS)).isTrue();

      AtomicReference<Throwable> xdsOutcome = new AtomicReference<>();
      Thread xds = new Thread(() -> {
        try {
          layer.lay(Set.of("reviews"), Map.of("reviews", "reviews:9080"), Map.of("reviews", reviews()), Set.of(),
              Map.of());
        } catch (RuntimeException e) {
          xdsOutcome.set(e);
        }
      }, "xds-test");
      xds.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (xds.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(xds.getState()).as("xDS waits for the reload lock").isEqualTo(Thread.State.BLOCKED);
      release.countDown();

      MeshConfig applied = reload.get(10, TimeUnit.SECONDS);
      xds.join(10_000);
      assertThat(applied.services()).as("the reload, without xDS's candidate").containsOnlyKeys("other", "more");
      assertThat(xdsOutcome.get()).as("xDS's own call").isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("xds");
      assertThat(mesh.config().services()).containsOnlyKeys("other", "more");
      assertThat(mesh.reload(() -> application("other")).services()).as("a later reload").containsOnlyKeys("other");
    }
  }

  /**
   * A service whose xDS watch the mesh closed (the application moved it to another discovery) is not laid again
   * by the next reload: the application's own settings for it stand.
   */
  @Test
  void aReloadDoesNotLayAServiceXdsNoLongerWatches() {
    ServiceDiscovery xdsDiscovery = fixed();
    try (Mesh mesh = Mesh.builder().discovery("fixed", fixed()).discovery("xds", xdsDiscovery)
        .config(application("reviews")).build()) {
      XdsLayer layer = new XdsLayer("xds", Set.of());
      layer.watching(Set.of("reviews"));
      layer.mapped("reviews", reviews());
      layer.attach(mesh, xdsDiscovery);
      layer.lay(Set.of("reviews"), Map.of("reviews", "reviews:9080"), layer.from(Set.of("reviews"), Set.of("reviews"),
          null), Set.of(), Map.of());
      assertThat(mesh.config().service("reviews").discovery()).as("laid by xDS").isEqualTo("xds");

      layer.watching(Set.of()); // its watch closed, the service forgotten
      mesh.reload(() -> application("reviews", "other"));

      assertThat(mesh.config().service("reviews").discovery()).as("the application's own").isEqualTo("fixed");
      assertThat(mesh.config().service("reviews").routes()).isEmpty();
    }
  }
}
