package io.meshclient.core.config;

import java.util.Map;
import java.util.Objects;

/**
 * Which load balancer a service uses, by provider name, and its options.
 *
 * @param name a provider name such as {@code least-request}
 * @param options provider options, such as {@code hash-header} for a hashing balancer
 */
public record BalancerConfig(String name, Map<String, String> options) {
  public BalancerConfig {
    Objects.requireNonNull(name, "name");
    options = options == null ? Map.of() : Map.copyOf(options);
  }

  /** A balancer with no options. */
  public static BalancerConfig named(String name) {
    return new BalancerConfig(name, Map.of());
  }

  @Override
  public String toString() {
    return options.isEmpty() ? name : name + options;
  }
}
