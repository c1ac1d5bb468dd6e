package io.meshclient.spring.boot;

import org.springframework.context.ApplicationEvent;

/**
 * Asks the starter to re-read {@code mesh.*} from the environment and apply it to the running mesh.
 * Publish it after changing property sources. If the new configuration is invalid, {@code
 * publishEvent} throws the {@link io.meshclient.api.ConfigurationException} and the old
 * configuration keeps serving.
 */
public class MeshRefreshEvent extends ApplicationEvent {
  private static final long serialVersionUID = 1L;

  /** An event published by {@code source}. */
  public MeshRefreshEvent(Object source) {
    super(source);
  }
}
