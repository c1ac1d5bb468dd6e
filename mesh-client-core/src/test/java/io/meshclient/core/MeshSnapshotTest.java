package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Mesh#snapshot()} reports what the request path does: ejections, limiter headroom, the routes. */
@Timeout(30)
class MeshSnapshotTest {
  private final InMemoryDiscovery discovery = new InMemoryDiscovery();
  private Backend v1;
  private Backend v2;
  private Mesh mesh;

  @AfterEach
  void stop() {
    mesh.close();
    v1.close();
    v2.close();
  }

  private int get(String... headers) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/")
        .headers(okhttp3.Headers.of(headers)).build()).execute()) {
      return response.code();
    }
  }

  @Test
  void showsInstancesSubsetsRoutesHeadroomAndEjections() throws IOException {
    v1 = new Backend("v1");
    v2 = new Backend("v2").status(500);
    discovery.set("reviews", List.of(v1.instance("reviews", Map.of("version", "v1")),
        v2.instance("reviews", Map.of("version", "v2"))));
    mesh = Mesh.builder().discovery("memory", discovery).config(MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 }, v2: { version: v2 } }
              routes:
                - name: jason
                  match: { headers: { end-user: { exact: jason } } }
                  to: v2
                  rate-limit: { rate: 1/m, burst: 5 }
                - split: { v1: 100, v2: 0 }
              rate-limit: { rate: 1/m, burst: 20 }
              circuit-breaker: { failure-rate-threshold: 50%, sliding-window: 100, open-for: 10s }
              outlier-detection: { consecutive-failures: 2, base-ejection: 30s, max-ejected: 50% }
              retry: { attempts: 1 }
        """, name -> null)).build();

    MeshSnapshot.ServiceState before = mesh.snapshot().services().get("reviews");
    assertThat(before.instances()).hasSize(2).noneMatch(MeshSnapshot.InstanceState::ejected);
    assertThat(before.instances().get(0).url()).startsWith("http://127.0.0.1:");
    assertThat(before.subsets()).containsOnlyKeys("v2", "v1");
    assertThat(before.subsets().get("v2")).containsExactly(before.instances().get(1).instance().id());
    assertThat(before.routes()).extracting(MeshSnapshot.RouteState::name).containsExactly("jason", "route-1");
    assertThat(before.routes().get(0).rateLimit().headroom()).isEqualTo(5);
    assertThat(before.routes().get(1).rateLimit()).isNull();
    assertThat(before.rateLimit().name()).isEqualTo("reviews");
    assertThat(before.rateLimit().headroom()).isEqualTo(20);
    assertThat(before.circuitBreaker()).isEqualTo("CLOSED");
    assertThat(before.inFlight()).isZero();
    assertThat(before.loadBalancer()).isEqualTo("least-request");
    assertThat(before.peerIdentity()).isNull();

    assertThat(get("end-user", "jason")).isEqualTo(500);
    assertThat(get("end-user", "jason")).isEqualTo(500);
    assertThat(get()).isEqualTo(200);

    MeshSnapshot.ServiceState after = mesh.snapshot().services().get("reviews");
    assertThat(after.instances().get(1).ejected()).as("v2 after 2 failures in a row").isTrue();
    assertThat(after.healthyInstances()).extracting(i -> i.instance().id())
        .containsExactly(before.instances().get(0).instance().id());
    assertThat(after.routes().get(0).rateLimit().headroom()).isEqualTo(3);
    assertThat(after.rateLimit().headroom()).isEqualTo(17);
    assertThat(mesh.snapshot().services()).containsOnlyKeys("reviews");
  }
}
