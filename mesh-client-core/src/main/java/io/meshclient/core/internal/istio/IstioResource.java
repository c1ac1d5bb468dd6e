package io.meshclient.core.internal.istio;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

/**
 * One Istio resource as read from a file: its kind, name and namespace, and its {@code spec} as maps,
 * lists and scalars.
 *
 * @param kind {@code VirtualService}, {@code DestinationRule} or {@code ServiceEntry}
 * @param name {@code metadata.name}
 * @param namespace {@code metadata.namespace}, or the configured namespace when absent
 * @param spec the {@code spec} block
 * @param file the file it was read from
 * @param document the position of its YAML document in the file, from 1
 * @param created {@code metadata.creationTimestamp}, or {@link #NOT_CREATED} when absent
 */
record IstioResource(String kind, String name, String namespace, Map<String, Object> spec, String file,
    int document, Instant created) {

  /**
   * The creation time of a resource without {@code metadata.creationTimestamp}: Go's zero {@code time.Time}, which
   * is what istiod compares for a config without one, so it is older than any resource with one.
   */
  static final Instant NOT_CREATED = Instant.parse("0001-01-01T00:00:00Z");

  /**
   * The order of istiod's {@code sortConfigByCreationTime}: the oldest first, then by name, then by namespace.
   * Resources equal in all three (the same resource in two files) keep their read order under a stable sort.
   */
  static final Comparator<IstioResource> CREATION_ORDER = Comparator.comparing(IstioResource::created)
      .thenComparing(IstioResource::name).thenComparing(IstioResource::namespace);

  /** {@code Kind namespace/name}, as messages and the load report name it. */
  String label() {
    return kind + " " + namespace + "/" + name;
  }
}
