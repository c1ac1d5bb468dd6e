package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.cluster;
import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static io.meshclient.discovery.xds.Resources.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshclient.api.DiscoveryStatus;
import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A Spring Boot application with the starter and {@code mesh-discovery-xds} on Boot 4's dependency versions
 * (this module's test classpath; the enforcer's dependency convergence covers it): {@code mesh.discovery.xds}
 * in the application's properties points at java-control-plane on 127.0.0.1, and the mesh routes Bookinfo's
 * reviews 80/20 as istiod's names say, counted at the servers.
 */
@Timeout(60)
class XdsStarterTest {
  static final String HOST = "reviews.default.svc.cluster.local";

  @Test
  void anApplicationConfiguredWithOnlyTheControlPlanesAddressRoutesAsTheControlPlaneSays() throws Exception {
    try (ControlPlane controlPlane = new ControlPlane(); Backends backends = new Backends("reviews-v1", "reviews-v3")) {
      Map<String, Integer> weights = new LinkedHashMap<>();
      weights.put(istio(9080, "v1", HOST), 80);
      weights.put(istio(9080, "v3", HOST), 20);
      controlPlane.set(Resources.snapshot("1", List.of(listener(HOST + ":9080", "reviews-9080")),
          List.of(routes("reviews-9080", List.of(HOST, HOST + ":9080", "reviews"), split(weights))),
          List.of(cluster(istio(9080, "v1", HOST)), cluster(istio(9080, "v3", HOST))),
          List.of(endpoints(istio(9080, "v1", HOST), backends.port("reviews-v1")),
              endpoints(istio(9080, "v3", HOST), backends.port("reviews-v3")))));

      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
          .withPropertyValues(
              "mesh.discovery.xds.server-uri=" + controlPlane.target(),
              "mesh.discovery.xds.node-id=sidecar~10.0.0.7~productpage-v1.default~default.svc.cluster.local",
              "mesh.discovery.xds.services.reviews=" + HOST + ":9080",
              "mesh.discovery.xds.initial-wait=20s")
          .run(context -> {
            assertThat(context).hasNotFailed();
            Mesh mesh = context.getBean(Mesh.class);
            assertThat(mesh.discoveryStatus().get("xds").connection()).isEqualTo(DiscoveryStatus.Connection.CONNECTED);
            int calls = 5000; // the v3 share's standard deviation is 0.57 points; the tolerance 3, over 5 of them
            for (int i = 0; i < calls; i++) {
              try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/r").build())
                  .execute()) {
                assertThat(r.code()).isEqualTo(200);
              }
            }
            Map<String, Integer> counts = backends.counts();
            assertThat(counts.get("reviews-v1") + counts.get("reviews-v3")).isEqualTo(calls);
            assertThat(100.0 * counts.get("reviews-v3") / calls).isCloseTo(20.0, within(3.0));
          });
    }
  }
}
