package io.meshclient.api;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a discovery is doing, for an actuator or a health check: whether it reaches its registry or control
 * plane, when it last heard something new, how many errors it has seen, and what it was asked to do and
 * cannot (an xDS field that changes traffic and is not implemented). Never holds a secret: no token, URL
 * user info or key material goes into {@code details} or {@code lastError}.
 *
 * @param connection whether the discovery reaches its source now
 * @param lastUpdate when it last received an update (a list, a change, an accepted response), or null
 *     before the first
 * @param errors failures seen since it started (failed lists and watches, NACKs, dropped streams)
 * @param lastError the last failure in one line, or null
 * @param details source-specific figures, such as the config version per xDS type; sorted by key
 * @param notImplemented what the source asks for, changes traffic and is not implemented
 */
public record DiscoveryStatus(Connection connection, Instant lastUpdate, long errors, String lastError,
    Map<String, String> details, List<String> notImplemented) {
  /** The status of a discovery that does not report one: a static list, or a third-party discovery. */
  public static final DiscoveryStatus UNKNOWN =
      new DiscoveryStatus(Connection.UNKNOWN, null, 0, null, Map.of(), List.of());

  public DiscoveryStatus {
    Objects.requireNonNull(connection, "connection");
    details = details == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(details));
    notImplemented = notImplemented == null ? List.of() : List.copyOf(notImplemented);
  }

  /** Whether a discovery reaches its source. */
  public enum Connection {
    /** Its watches or stream are up. */
    CONNECTED,
    /** It cannot reach its source now; it keeps serving the last known instances. */
    DISCONNECTED,
    /** It does not say, or has nothing to reach (a static list). */
    UNKNOWN
  }
}
