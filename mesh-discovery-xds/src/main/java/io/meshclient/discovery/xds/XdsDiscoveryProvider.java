package io.meshclient.discovery.xds;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.ServiceDiscoveryProvider;
import io.meshclient.api.spi.Setting;
import java.util.Objects;

/**
 * Provides the {@code xds} discovery: instances, routes and clusters from an xDS control plane (istiod or
 * any ADS server), configured under {@code mesh.discovery.xds} (see {@link XdsSettings}).
 */
public final class XdsDiscoveryProvider implements ServiceDiscoveryProvider {
  /** The metrics given, or null: each discovery then has its own, bound to the mesh's registry if it has one. */
  private final XdsDiscoveryMetrics metrics;

  /**
   * The provider {@link java.util.ServiceLoader} finds: a discovery it creates records its {@link
   * XdsDiscoveryMetrics} into the mesh's {@code MeterRegistry}, if it has one, until it closes.
   */
  public XdsDiscoveryProvider() {
    this.metrics = null;
  }

  /** A provider whose discoveries record into {@code metrics}. */
  public XdsDiscoveryProvider(XdsDiscoveryMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public String name() {
    return "xds";
  }

  /** The keys under {@code mesh.discovery.xds}, declared once: read, range-checked and documented from here. */
  @Override
  public Setting settings() {
    return XdsKeys.SETTINGS;
  }

  /**
   * Reads the settings, opens the ADS stream and waits, at most {@code initial-wait}, for the listed
   * services' first configuration.
   *
   * @throws io.meshclient.api.ConfigurationException naming every bad key
   */
  @Override
  public ServiceDiscovery create(DiscoveryContext context) {
    XdsSettings settings = XdsSettings.read(context.configKey(), context.settings());
    String key = context.configKey();
    XdsDiscoveryMetrics recorded = metrics != null ? metrics
        : context.meterRegistry() != null ? XdsDiscoveryMetrics.ownedBy(context.meterRegistry())
        : new XdsDiscoveryMetrics();
    return new XdsDiscovery(key.substring(key.lastIndexOf('.') + 1), settings, recorded);
  }
}
