package io.meshclient.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.meshclient.core.Mesh;
import io.meshclient.core.metrics.MeshMetricNames;
import io.meshclient.spring.boot.MeshReconfigurer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** Which refreshes reconfigure the mesh, and that none of them throws into Spring Cloud's refresh. */
class MeshCloudRefreshListenerTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Map<String, Object> properties = new HashMap<>(Map.of(
      "mesh.discovery.static.services.details[0].url", "http://127.0.0.1:9"));

  private double reconfigurations(String result) {
    return meters.get(MeshMetricNames.RECONFIGURATIONS).tag(MeshMetricNames.RESULT, result).counter().count();
  }

  @Test
  void meshKeysAreRecognisedInEverySpellingSpringReports() {
    assertThat(MeshCloudRefreshListener.isMeshKey("mesh.services.reviews.routes[0].split.v3")).isTrue();
    assertThat(MeshCloudRefreshListener.isMeshKey("mesh[services].reviews.timeout")).isTrue();
    assertThat(MeshCloudRefreshListener.isMeshKey("MESH.services.reviews.timeout")).isTrue();
    assertThat(MeshCloudRefreshListener.isMeshKey("meshy.other")).isFalse();
    assertThat(MeshCloudRefreshListener.isMeshKey("server.port")).isFalse();
    assertThat(MeshCloudRefreshListener.isMeshKey("mesh")).isFalse();
  }

  @Test
  void onlyAChangedMeshKeyReconfiguresAndARefusalIsCountedNotThrown() {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
    try (Mesh mesh = Mesh.builder().meterRegistry(meters).build()) {
      MeshCloudRefreshListener listener = new MeshCloudRefreshListener(new MeshReconfigurer(mesh, environment));

      listener.onApplicationEvent(new EnvironmentChangeEvent(Set.of("server.port", "logging.level.root")));
      assertThat(reconfigurations("applied")).as("a refresh that changed no mesh key").isZero();

      listener.onApplicationEvent(new EnvironmentChangeEvent(Set.of("mesh.discovery.static.services.details[0].url")));
      assertThat(reconfigurations("applied")).isEqualTo(1.0);
      assertThat(mesh.services()).containsExactly("details");

      io.meshclient.core.config.MeshConfig applied = mesh.config();
      properties.put("mesh.services.details.timeout", "-1s");
      assertThatCode(() -> listener.onApplicationEvent(new EnvironmentChangeEvent(Set.of("mesh.services.details.timeout"))))
          .doesNotThrowAnyException();
      assertThat(reconfigurations("refused")).isEqualTo(1.0);
      assertThat(mesh.config()).as("the configuration in force").isSameAs(applied);

      mesh.close(); // a reload thread refreshing while the application shuts down
      assertThatCode(() -> listener.onApplicationEvent(new EnvironmentChangeEvent(Set.of("mesh.services.details.timeout"))))
          .doesNotThrowAnyException();
    }
  }
}
