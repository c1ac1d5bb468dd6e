package io.meshclient.api.spi;

import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ServiceDiscoveryProvider} is told about the discovery it creates.
 *
 * @param configKey the full key of the settings, for error messages, such as {@code
 *     mesh.discovery.consul}
 * @param settings the settings as parsed from YAML, JSON or Spring properties: strings, numbers,
 *     booleans, lists and nested maps, keys in kebab-case
 */
public record DiscoveryContext(String configKey, Map<String, Object> settings) {
  public DiscoveryContext {
    Objects.requireNonNull(configKey, "configKey");
    settings = settings == null ? Map.of() : settings;
  }
}
