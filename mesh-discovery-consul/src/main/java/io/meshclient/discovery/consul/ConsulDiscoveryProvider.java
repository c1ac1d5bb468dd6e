package io.meshclient.discovery.consul;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.ServiceDiscoveryProvider;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code consul} discovery: passing instances of each watched service from Consul's health API
 * ({@code /v1/health/service/<name>?passing}), kept current with blocking queries.
 *
 * <p>However many services are watched, a discovery runs on 8 daemon threads and at most 9 agent
 * connections: two change feeds hold blocking queries, and only the services they show changed are
 * fetched (see {@code AgentWatch}). {@code watch()} (and {@code watchAll()}, which fetches many first
 * answers side by side) waits up to 2 s for Consul's first answers and delivers them before returning,
 * so a mesh built from configuration knows its instances once built; an unreachable agent ends that wait
 * at once, a hung one after 2 s. A snapshot is pushed when the passing set changes, and also when Consul
 * reachably reports none. While
 * the agent is unreachable or failing, the last known snapshot stays in force and queries are retried
 * with exponential backoff and jitter. The ACL token travels only in the {@code X-Consul-Token} header
 * and is never logged.
 *
 * <p>Each instance maps a health entry: id {@code Service.ID} (prefixed {@code <node>/} where several
 * nodes use the same ID), host {@code Service.Address} or else {@code Node.Address}, port {@code
 * Service.Port}, weight {@code Service.Weights.Passing}, metadata {@code Service.Meta} verbatim plus
 * {@code tag.<tag>=true} for each tag, secure when metadata {@code secure} is {@code true} (an entry whose
 * {@code secure} is neither true nor false is left out with a warning), zone from
 * metadata {@code zone}. An entry whose id an earlier entry has is left out with a warning: ids are unique
 * within a service.
 *
 * <p>Found by {@link java.util.ServiceLoader} under the name {@value #NAME}; settings are read from
 * {@code mesh.discovery.consul} (see {@link ConsulDiscoverySettings}). Thread-safe.
 */
public final class ConsulDiscoveryProvider implements ServiceDiscoveryProvider {
  /** The provider's name, as in {@code discovery: consul}. */
  public static final String NAME = "consul";

  private final ConsulWatchListener events;

  @Override
  public io.meshclient.api.spi.Setting settings() {
    return ConsulKeys.SETTINGS;
  }

  /**
   * The provider ServiceLoader finds: a discovery it creates for a mesh that has a {@code MeterRegistry}
   * records {@link ConsulDiscoveryMetrics} there (its gauges go when its watches stop); otherwise none.
   */
  public ConsulDiscoveryProvider() {
    this(ConsulWatchListener.NONE);
  }

  /** A provider whose discoveries report what their watches do to {@code events}. */
  public ConsulDiscoveryProvider(ConsulWatchListener events) {
    this.events = Objects.requireNonNull(events, "events");
  }

  /** Returns {@value #NAME}. */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Reads the settings under {@code context.configKey()} and creates a discovery.
   *
   * @throws ConfigurationException naming the full key of every invalid or unknown setting; secret
   *     values are never part of the message
   */
  @Override
  public ServiceDiscovery create(DiscoveryContext context) {
    Objects.requireNonNull(context, "context");
    // A provider given a listener reports to it; the one ServiceLoader finds records into the mesh's registry.
    ConsulWatchListener listener = events == ConsulWatchListener.NONE && context.meterRegistry() != null
        ? ConsulDiscoveryMetrics.ownedBy(context.meterRegistry()) : events;
    return create(ConsulSettingsReader.read(context.configKey(), context.settings()), context.configKey(), listener);
  }

  /**
   * Creates a discovery with {@code settings}. The caller closes it.
   *
   * @throws ConfigurationException if a TLS file cannot be used
   */
  public ServiceDiscovery create(ConsulDiscoverySettings settings) {
    return create(Objects.requireNonNull(settings, "settings"), ConsulDiscoverySettings.CONFIG_KEY, events);
  }

  private static ServiceDiscovery create(ConsulDiscoverySettings settings, String configKey,
      ConsulWatchListener events) {
    return new ConsulDiscovery(settings, AgentTls.sslContext(settings.tls(), configKey + ".tls"), events,
        WatchClock.SYSTEM, () -> ThreadLocalRandom.current().nextDouble());
  }
}
