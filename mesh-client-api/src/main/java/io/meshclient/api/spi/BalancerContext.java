package io.meshclient.api.spi;

import java.util.Map;
import java.util.Objects;

/**
 * What a {@link LoadBalancerProvider} is told about the balancer it creates.
 *
 * @param service the service the balancer serves
 * @param configKey the full configuration key of the balancer's settings, for error messages, such as
 *     {@code mesh.services.reviews.load-balancer}
 * @param options provider-specific options, such as {@code hash-header: x-user} for a hashing balancer
 */
public record BalancerContext(String service, String configKey, Map<String, String> options) {
  public BalancerContext {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(configKey, "configKey");
    options = options == null ? Map.of() : Map.copyOf(options);
  }
}
