package io.meshclient.discovery.xds;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The TTLs of the resources a control plane sends wrapped in an {@code envoy.service.discovery.v3.Resource} with a
 * {@code ttl} (go-control-plane's TTL): as Envoy, a resource whose TTL passes without a heartbeat (the wrapper
 * without its resource) or an update is removed as if deleted, and an update or heartbeat without a ttl clears it.
 * A timer per resource, on the xDS thread's executor; cancelled when the resource is updated, deleted or freed, and
 * on close. Confined to the xDS thread.
 */
final class ResourceTtls implements AutoCloseable {
  /** Told, on the xDS thread, that {@code name} of {@code type}, sent in {@code version} with {@code ttl}, expired. */
  interface Expiry {
    void expired(ResourceType type, String name, String version, Duration ttl);
  }

  private final ScheduledExecutorService executor;
  private final Expiry expiry;
  private final Map<ResourceType, Map<String, ScheduledFuture<?>>> timers = new EnumMap<>(ResourceType.class);
  private boolean closed;

  ResourceTtls(ScheduledExecutorService executor, Expiry expiry) {
    this.executor = executor;
    this.expiry = expiry;
    for (ResourceType t : ResourceType.values()) {
      timers.put(t, new HashMap<>());
    }
  }

  /**
   * {@code update} was applied, and {@code held} are the names of its type with an accepted version now: each valid
   * resource and heartbeat it carried that is held starts its TTL again, or loses it when sent without one; a name
   * no longer held loses its timer.
   */
  void applied(ResourceUpdate<?> update, Set<String> held) {
    Set<String> sent = new java.util.LinkedHashSet<>(update.valid().keySet());
    sent.addAll(update.heartbeats());
    for (String name : sent) {
      Duration ttl = update.ttl(name);
      if (ttl == null || !held.contains(name)) {
        cancel(update.type(), name);
      } else {
        start(update.type(), name, update.version(), ttl);
      }
    }
    retain(update.type(), held);
  }

  /** Cancels the timers of the names of {@code type} not in {@code held}: deleted or freed. */
  void retain(ResourceType type, Set<String> held) {
    timers.get(type).entrySet().removeIf(e -> {
      boolean gone = !held.contains(e.getKey());
      if (gone) {
        e.getValue().cancel(false);
      }
      return gone;
    });
  }

  private void start(ResourceType type, String name, String version, Duration ttl) {
    cancel(type, name);
    if (closed) {
      return;
    }
    Map<String, ScheduledFuture<?>> ofType = timers.get(type);
    ScheduledFuture<?>[] mine = new ScheduledFuture<?>[1];
    mine[0] = executor.schedule(() -> {
      if (!closed && ofType.get(name) == mine[0]) { // not cancelled or replaced since
        ofType.remove(name);
        expiry.expired(type, name, version, ttl);
      }
    }, ttl.toNanos(), TimeUnit.NANOSECONDS);
    ofType.put(name, mine[0]);
  }

  private void cancel(ResourceType type, String name) {
    ScheduledFuture<?> f = timers.get(type).remove(name);
    if (f != null) {
      f.cancel(false);
    }
  }

  @Override
  public void close() {
    closed = true;
    timers.values().forEach(ofType -> {
      ofType.values().forEach(f -> f.cancel(false));
      ofType.clear();
    });
  }
}
