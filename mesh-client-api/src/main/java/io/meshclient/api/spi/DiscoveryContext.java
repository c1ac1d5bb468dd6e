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
 * @param meterRegistry the Micrometer {@code io.micrometer.core.instrument.MeterRegistry} the mesh records
 *     its own meters to, or null when it has none. A provider that has meters of its own records them there
 *     for the discoveries the mesh creates from configuration, and removes those that describe a discovery's
 *     state when it closes. Typed {@code Object} because this module depends on the JDK only.
 */
public record DiscoveryContext(String configKey, Map<String, Object> settings, Object meterRegistry) {
  private static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

  /**
   * @throws IllegalArgumentException if {@code meterRegistry} is neither null nor a Micrometer {@code
   *     MeterRegistry}
   */
  public DiscoveryContext {
    Objects.requireNonNull(configKey, "configKey");
    settings = settings == null ? Map.of() : settings;
    if (meterRegistry != null && !isMeterRegistry(meterRegistry.getClass())) {
      throw new IllegalArgumentException("meterRegistry: expected a " + METER_REGISTRY + " or null, not a "
          + meterRegistry.getClass().getName());
    }
  }

  /** A context without a meter registry: the discovery records no meters of its own. */
  public DiscoveryContext(String configKey, Map<String, Object> settings) {
    this(configKey, settings, null);
  }

  /** By name, so that this module needs no Micrometer: a registry is always a subclass of it. */
  private static boolean isMeterRegistry(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (c.getName().equals(METER_REGISTRY)) {
        return true;
      }
    }
    return false;
  }
}
