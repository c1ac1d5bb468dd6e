package io.meshclient.discovery.kubernetes;

import io.meshclient.api.DiscoveryStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What {@link KubernetesDiscovery#status()} reports: which watches are failing now, when one last
 * delivered a list or change, how many failures were seen and the last one. Thread-safe.
 */
final class StatusTracker {
  private final LongAdder errors = new LongAdder();
  private final Set<Object> failing = ConcurrentHashMap.newKeySet();
  private volatile Instant lastUpdate;
  private volatile String lastError;

  /** {@code source} (a watch) listed or saw a change: it reaches the API server. */
  void updated(Object source) {
    failing.remove(source);
    lastUpdate = Instant.now();
  }

  /** {@code source} failed; {@code description} is one line without secrets. */
  void failed(Object source, String description) {
    failing.add(source);
    errors.increment();
    lastError = description;
  }

  /** {@code source} is closed and no longer counts. */
  void stopped(Object source) {
    failing.remove(source);
  }

  DiscoveryStatus status(Map<String, String> details) {
    DiscoveryStatus.Connection connection = !failing.isEmpty() ? DiscoveryStatus.Connection.DISCONNECTED
        : lastUpdate == null ? DiscoveryStatus.Connection.UNKNOWN : DiscoveryStatus.Connection.CONNECTED;
    return new DiscoveryStatus(connection, lastUpdate, errors.sum(), lastError, details, java.util.List.of());
  }
}
