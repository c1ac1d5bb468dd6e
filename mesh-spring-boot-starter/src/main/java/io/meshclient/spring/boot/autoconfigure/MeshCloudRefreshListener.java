package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.api.ConfigurationException;
import io.meshclient.spring.boot.MeshReconfigurer;
import java.util.Locale;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ApplicationListener;

/**
 * Applies {@code mesh.*} to the running mesh after a Spring Cloud refresh ({@code /actuator/refresh},
 * or a Spring Cloud Config, Consul or Kubernetes configuration reload) changed one of its keys. A
 * refused change is logged by {@link MeshReconfigurer} and counted, the old configuration keeps
 * serving, and the rest of the application's refresh goes on: it is not thrown into the refresh.
 */
final class MeshCloudRefreshListener implements ApplicationListener<EnvironmentChangeEvent> {
  private final MeshReconfigurer reconfigurer;

  MeshCloudRefreshListener(MeshReconfigurer reconfigurer) {
    this.reconfigurer = reconfigurer;
  }

  @Override
  public void onApplicationEvent(EnvironmentChangeEvent event) {
    if (event.getKeys().stream().noneMatch(MeshCloudRefreshListener::isMeshKey)) {
      return;
    }
    try {
      reconfigurer.reconfigure();
    } catch (ConfigurationException refused) {
      // Logged, naming the keys, by the reconfigurer; the configuration in force keeps serving.
    }
  }

  /** {@code mesh.x}, {@code mesh[x]} or an environment variable's {@code MESH_X}. */
  static boolean isMeshKey(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.startsWith("mesh.") || k.startsWith("mesh[") || k.startsWith("mesh_");
  }
}
