package io.meshclient.core.config;

/**
 * What the mesh does with a call to a single-label host name (no dot, such as {@code reviewz}) that is
 * not a mesh service: {@code mesh.unknown-hosts}. Such a name is almost always a mistyped service, and
 * in a cluster DNS could resolve it and bypass routing, limits and breakers. {@code localhost}, IP
 * literals and dotted names always pass through.
 */
public enum UnknownHosts {
  /** Refused before any I/O with an {@link io.meshclient.api.UnknownServiceException} (the default). */
  REFUSE,
  /** Sent untouched, resolved by DNS, as for any host that is not a mesh service. */
  PASS_THROUGH;

  /** The configuration name: {@code refuse} or {@code pass-through}. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * Whether this policy refuses a call to {@code host} when it is not a mesh service: {@link #REFUSE}
   * does for a single-label name (no dot, no colon), other than {@code localhost}.
   */
  public boolean refuses(String host) {
    return this == REFUSE && host.indexOf('.') < 0 && host.indexOf(':') < 0 && !host.equals("localhost");
  }

  /** The value named {@code key} in configuration, or null if none is. */
  static UnknownHosts of(String key) {
    for (UnknownHosts value : values()) {
      if (value.key().equals(key)) {
        return value;
      }
    }
    return null;
  }
}
