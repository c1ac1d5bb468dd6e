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
  /** The service of each watch whose instances are terminating but serving endpoints, none being ready. */
  private final Map<Object, String> servingTerminating = new ConcurrentHashMap<>();

  /** The key of {@link #status}'s details naming the services that fall back to terminating endpoints. */
  static final String SERVING_TERMINATING = "serving-terminating";

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

  /** Whether the instances {@code source} (watching {@code service}) delivers are terminating but serving. */
  void servingTerminating(Object source, String service, boolean fallingBack) {
    if (fallingBack) {
      servingTerminating.put(source, service);
    } else {
      servingTerminating.remove(source);
    }
  }

  /** {@code source} is closed and no longer counts. */
  void stopped(Object source) {
    failing.remove(source);
    servingTerminating.remove(source);
  }

  /**
   * The status, with {@code details} and, while some service falls back to terminating endpoints, {@value
   * #SERVING_TERMINATING}: those services, sorted, comma-separated.
   */
  DiscoveryStatus status(Map<String, String> details) {
    if (!servingTerminating.isEmpty()) {
      Map<String, String> all = new java.util.HashMap<>(details);
      all.put(SERVING_TERMINATING, String.join(",", new java.util.TreeSet<>(servingTerminating.values())));
      details = all;
    }
    DiscoveryStatus.Connection connection = !failing.isEmpty() ? DiscoveryStatus.Connection.DISCONNECTED
        : lastUpdate == null ? DiscoveryStatus.Connection.UNKNOWN : DiscoveryStatus.Connection.CONNECTED;
    return new DiscoveryStatus(connection, lastUpdate, errors.sum(), lastError, details, java.util.List.of());
  }
}
