package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Mesh#layer(io.meshclient.api.ServiceDiscovery, UnaryOperator, Map)}: the instances a discovery lays
 * with its settings are taken in the same swap, by the services it watches only, and not at all when the
 * settings are refused.
 */
@Timeout(30)
class MeshLayerInstancesTest {
  private final InMemoryDiscovery discovery = new InMemoryDiscovery();
  private final InMemoryDiscovery other = new InMemoryDiscovery();
  private Backend v1;
  private Backend v2;
  private Mesh mesh;

  @BeforeEach
  void start() throws IOException {
    v1 = new Backend("v1");
    v2 = new Backend("v2");
    discovery.set("reviews", List.of(v1.instance("reviews", Map.of())));
    other.set("ratings", List.of(v1.instance("ratings", Map.of())));
    mesh = Mesh.builder().discovery("memory", discovery).discovery("other", other).config(MeshConfig.builder()
        .service(ServiceConfig.builder("reviews").discovery("memory").build())
        .service(ServiceConfig.builder("ratings").discovery("other").build()).build()).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    v1.close();
    v2.close();
  }

  /** reviews' settings with {@code balancer}, over the configuration given. */
  static UnaryOperator<MeshConfig> reviewsWith(String balancer) {
    return c -> c.toBuilder().replaceService(c.service("reviews").toBuilder().loadBalancer(balancer).build()).build();
  }

  private String call(String service) throws IOException {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://" + service + "/").build())
        .execute()) {
      return r.body().string();
    }
  }

  @Test
  void theInstancesLaidWithSettingsAreTakenInTheSameSwap() throws IOException {
    List<ServiceInstance> laid = List.of(v2.instance("reviews", Map.of()));

    mesh.layer(discovery, reviewsWith("least-request"), Map.of("reviews", laid));

    MeshSnapshot.ServiceState reviews = mesh.snapshot().services().get("reviews");
    assertThat(reviews.loadBalancer()).isEqualTo("least-request");
    assertThat(reviews.instances()).extracting(MeshSnapshot.InstanceState::instance).isEqualTo(laid);
    assertThat(call("reviews")).isEqualTo("v2");
    List<ServiceInstance> inForce = mesh.instances("reviews");
    discovery.set("reviews", laid); // the watch delivers them afterwards, as the discovery does
    assertThat(mesh.instances("reviews")).as("delivered again: nothing to swap").isSameAs(inForce);
  }

  @Test
  void refusedSettingsTakeNoneOfTheInstancesLaidWithThem() throws IOException {
    UnaryOperator<MeshConfig> refused =
        c -> c.toBuilder().replaceService(c.service("reviews").toBuilder().discovery("nowhere").build()).build();

    assertThatThrownBy(() -> mesh.layer(discovery, refused, Map.of("reviews", List.of(v2.instance("reviews", Map.of())))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageMatching("mesh\\.services\\.reviews\\.discovery: nowhere \\(expected: one of the configured "
            + "discoveries \\[(memory, other|other, memory)]\\)"); // in the supplied map's order, which varies

    assertThat(mesh.instances("reviews")).containsExactly(v1.instance("reviews", Map.of()));
    assertThat(call("reviews")).isEqualTo("v1");
  }

  @Test
  void instancesLaidForAServiceAnotherDiscoveryWatchesAreIgnored() throws IOException {
    mesh.layer(discovery, reviewsWith("least-request"), Map.of("ratings", List.of(v2.instance("ratings", Map.of()))));

    assertThat(mesh.instances("ratings")).containsExactly(v1.instance("ratings", Map.of()));
    assertThat(call("ratings")).isEqualTo("v1");
    assertThat(mesh.instances("reviews")).as("no instances laid for it: its watch's")
        .containsExactly(v1.instance("reviews", Map.of()));
  }
}
