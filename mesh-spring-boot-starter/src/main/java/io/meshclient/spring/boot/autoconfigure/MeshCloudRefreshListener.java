package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.api.ConfigurationException;
import io.meshclient.spring.boot.MeshReconfigurer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;

/**
 * Applies {@code mesh.*} to the running mesh after a Spring Cloud refresh ({@code /actuator/refresh},
 * or a Spring Cloud Config, Consul or Kubernetes configuration reload) changed one of its keys. A
 * refused change is logged and counted, the old configuration keeps serving, and the rest of the
 * application's refresh goes on: nothing is thrown into the refresh, and this listener runs after the
 * others.
 */
final class MeshCloudRefreshListener implements ApplicationListener<EnvironmentChangeEvent>, Ordered {
  private static final Log log = LogFactory.getLog(MeshCloudRefreshListener.class);

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
      // Logged, naming the keys, by the reconfigurer, and counted by the mesh.
    } catch (RuntimeException e) {
      // Counted by the mesh; the type and message only, since a binding failure's trace may quote values.
      log.warn("Mesh configuration change refused, the previous configuration stays in force: " + e);
    }
  }

  /**
   * {@code mesh.x} or {@code mesh[x]}. (Spring Cloud reports no changes of environment variables or
   * system properties: it keeps those sources as they are on a refresh.)
   */
  static boolean isMeshKey(String key) {
    return key.regionMatches(true, 0, "mesh.", 0, 5) || key.regionMatches(true, 0, "mesh[", 0, 5);
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
