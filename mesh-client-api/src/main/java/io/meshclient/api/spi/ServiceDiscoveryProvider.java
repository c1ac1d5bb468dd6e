package io.meshclient.api.spi;

import io.meshclient.api.ServiceDiscovery;

/**
 * Creates a {@link ServiceDiscovery} of one kind from its configuration, found by {@link #name()} (as in
 * {@code mesh.discovery.static} or {@code mesh.services.reviews.discovery: consul}). Implementations have
 * a public no-argument constructor and are listed in {@code
 * META-INF/services/io.meshclient.api.spi.ServiceDiscoveryProvider}.
 */
public interface ServiceDiscoveryProvider {

  /** The stable name, such as {@code static} or {@code consul}. */
  String name();

  /**
   * Validates the settings and creates a discovery. The caller owns and closes it.
   *
   * @throws io.meshclient.api.ConfigurationException naming the full key of every invalid setting;
   *     secret values are never part of the message
   */
  ServiceDiscovery create(DiscoveryContext context);

  /**
   * The settings {@link #create} reads, declared once: a block named {@link #name()} whose settings are
   * read, range-checked and documented (IDE metadata, README reference) from the declaration. Null when
   * the provider declares none.
   */
  default Setting settings() {
    return null;
  }
}
