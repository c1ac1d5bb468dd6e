package io.meshclient.discovery.xds;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Micrometer meters of the xDS client; pass one to {@link
 * XdsDiscoveryProvider#XdsDiscoveryProvider(XdsDiscoveryMetrics)} and {@link #bindTo bind} it.
 *
 * <ul>
 *   <li>{@value #CONNECTED} (gauge): 1 while the ADS stream is up, else 0
 *   <li>{@value #RESPONSES} (counter, tags {@code type} = lds/rds/cds/eds, {@code result} = ack/nack)
 *   <li>{@value #RECONNECTS} (counter): reconnects scheduled after the stream ended
 *   <li>{@value #RESOURCES} (gauge, tag {@code type}): resources of the type the client holds (accepted
 *       versions), which follow what the services need and the server sends, not every name ever seen
 *   <li>{@value #LAST_UPDATE_AGE} (time gauge, seconds): time since the last response applied (a NACKed one
 *       applies its valid resources); NaN before the first
 * </ul>
 *
 * The version accepted per type is not a tag (it would make a series per version): read it from {@link
 * #versions()}, and what is not implemented from {@link #notImplemented()}, for an actuator. Thread-safe.
 */
public final class XdsDiscoveryMetrics implements MeterBinder {
  /** Gauge: whether the ADS stream is up. */
  public static final String CONNECTED = "mesh.discovery.xds.connected";
  /** Counter of responses, by type and result. */
  public static final String RESPONSES = "mesh.discovery.xds.responses";
  /** Counter of scheduled reconnects. */
  public static final String RECONNECTS = "mesh.discovery.xds.reconnects";
  /** Gauge of the resources held, by type. */
  public static final String RESOURCES = "mesh.discovery.xds.resources";
  /** Time gauge: age of the last accepted response. */
  public static final String LAST_UPDATE_AGE = "mesh.discovery.xds.last.update.age";

  private final Map<ResourceType, LongAdder> acks = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, LongAdder> nacks = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, String> versions = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<ResourceType, AtomicLong> held = new EnumMap<>(ResourceType.class);
  private final LongAdder reconnects = new LongAdder();
  private final AtomicLong lastUpdateNanos = new AtomicLong(Long.MIN_VALUE);
  private volatile boolean connected;
  private volatile java.time.Instant lastUpdate;
  private volatile String lastError;
  private volatile java.util.List<String> notImplemented = java.util.List.of();

  /**
   * Whether these meters belong to one discovery the mesh created from configuration: they then replace any
   * of the same name and tags (those of the discovery a reload replaces) and are removed when it closes.
   */
  private final boolean owned;
  private final java.util.List<Meter> registered = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile MeterRegistry registry;

  /** Meters that record nothing until {@link #bindTo bound}. */
  public XdsDiscoveryMetrics() {
    this(false);
  }

  private XdsDiscoveryMetrics(boolean owned) {
    this.owned = owned;
    for (ResourceType t : ResourceType.values()) {
      acks.put(t, new LongAdder());
      nacks.put(t, new LongAdder());
      held.put(t, new AtomicLong());
    }
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    if (owned) { // the meters of the discovery this one replaces read a state that no longer moves
      for (String name : new String[] {CONNECTED, RESPONSES, RESOURCES, RECONNECTS, LAST_UPDATE_AGE}) {
        registry.find(name).meters().forEach(registry::remove);
      }
    }
    registered.add(Gauge.builder(CONNECTED, this, m -> m.connected ? 1 : 0)
        .description("Whether the ADS stream is up").register(registry));
    for (ResourceType t : ResourceType.values()) {
      String type = t.name().toLowerCase(Locale.ROOT);
      registered.add(FunctionCounter.builder(RESPONSES, acks.get(t), LongAdder::sum)
          .tags("type", type, "result", "ack").register(registry));
      registered.add(FunctionCounter.builder(RESPONSES, nacks.get(t), LongAdder::sum)
          .tags("type", type, "result", "nack").register(registry));
      registered.add(Gauge.builder(RESOURCES, held.get(t), AtomicLong::get).tags("type", type)
          .description("xDS resources held").register(registry));
    }
    registered.add(FunctionCounter.builder(RECONNECTS, reconnects, LongAdder::sum).register(registry));
    registered.add(TimeGauge.builder(LAST_UPDATE_AGE, this, TimeUnit.SECONDS, XdsDiscoveryMetrics::ageSeconds)
        .description("Time since the last accepted xDS response").register(registry));
  }

  /**
   * The meters of a discovery the mesh creates from configuration, bound to the mesh's {@code registry} (a
   * {@code MeterRegistry}, typed {@code Object} as the provider receives it); removed by {@link #discoveryClosed}.
   */
  static XdsDiscoveryMetrics ownedBy(Object registry) {
    XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics(true);
    metrics.bindTo((MeterRegistry) registry);
    return metrics;
  }

  /** The discovery closed: meters the mesh bound go, unless a newer discovery's replaced them already. */
  void discoveryClosed() {
    MeterRegistry r = registry;
    if (!owned || r == null) {
      return;
    }
    for (Meter meter : registered) {
      // By identity: meters are equal by id, and a meter that replaced this one has its id
      if (r.find(meter.getId().getName()).tags(meter.getId().getTags()).meters().stream().anyMatch(m -> m == meter)) {
        r.remove(meter);
      }
    }
    registered.clear();
  }

  /** ACKs sent for {@code type} ({@code lds}, {@code rds}, {@code cds}, {@code eds}). */
  public long acks(String type) {
    return acks.get(ResourceType.valueOf(type.toUpperCase(Locale.ROOT))).sum();
  }

  /** NACKs sent for {@code type}. */
  public long nacks(String type) {
    return nacks.get(ResourceType.valueOf(type.toUpperCase(Locale.ROOT))).sum();
  }

  /** Resources of {@code type} ({@code lds} ...) the client holds now. */
  public long resources(String type) {
    return held.get(ResourceType.valueOf(type.toUpperCase(Locale.ROOT))).get();
  }

  /** The version last accepted per type ({@code lds} ...), for the actuator. */
  public Map<String, String> versions() {
    Map<String, String> out = new java.util.TreeMap<>();
    versions.forEach((t, v) -> out.put(t.name().toLowerCase(Locale.ROOT), v));
    return out;
  }

  /**
   * What the control plane asks for that changes traffic and is not implemented (each also logged once
   * at WARNING), in the services described now; for the actuator.
   */
  public java.util.List<String> notImplemented() {
    return notImplemented;
  }

  /** Whether the ADS stream is up. */
  public boolean isConnected() {
    return connected;
  }

  /** Reconnects scheduled so far. */
  public long reconnects() {
    return reconnects.sum();
  }

  void notImplemented(java.util.List<String> notes) {
    notImplemented = java.util.List.copyOf(notes);
  }

  void connected(boolean up) {
    connected = up;
  }

  void acked(ResourceType type, String version) {
    acks.get(type).increment();
    versions.put(type, version);
  }

  /** A response of {@code type} was NACKed: {@code nack} says which version and why, on one line. */
  void nacked(ResourceType type, String nack) {
    nacks.get(type).increment();
    lastError = nack;
  }

  void held(XdsResources resources) {
    held.forEach((type, count) -> count.set(resources.size(type)));
  }

  void updated() {
    lastUpdateNanos.set(System.nanoTime());
    lastUpdate = java.time.Instant.now();
  }

  void reconnectScheduled(long delayMillis, String why) {
    reconnects.increment();
    lastError = "stream ended: " + why;
  }

  /**
   * The status for {@link io.meshclient.api.ServiceDiscovery#status()} and the actuator: connected while
   * the ADS stream is up; errors are NACKs plus ended streams; details hold the version accepted per type
   * ({@code version.lds} ...), the ACK/NACK counts and the resources held ({@code resources.lds} ...);
   * {@code notImplemented} as {@link #notImplemented()}.
   */
  public io.meshclient.api.DiscoveryStatus status() {
    Map<String, String> details = new java.util.TreeMap<>();
    versions().forEach((type, version) -> details.put("version." + type, version));
    long errors = reconnects.sum();
    for (ResourceType t : ResourceType.values()) {
      String type = t.name().toLowerCase(Locale.ROOT);
      details.put("acks." + type, Long.toString(acks.get(t).sum()));
      details.put("nacks." + type, Long.toString(nacks.get(t).sum()));
      details.put("resources." + type, Long.toString(held.get(t).get()));
      errors += nacks.get(t).sum();
    }
    return new io.meshclient.api.DiscoveryStatus(connected ? io.meshclient.api.DiscoveryStatus.Connection.CONNECTED
        : io.meshclient.api.DiscoveryStatus.Connection.DISCONNECTED, lastUpdate, errors, lastError, details,
        notImplemented);
  }

  private double ageSeconds() {
    long last = lastUpdateNanos.get();
    return last == Long.MIN_VALUE ? Double.NaN : (System.nanoTime() - last) / 1e9;
  }
}
