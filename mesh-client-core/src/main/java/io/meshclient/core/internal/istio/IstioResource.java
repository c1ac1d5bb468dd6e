package io.meshclient.core.internal.istio;

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
 */
record IstioResource(String kind, String name, String namespace, Map<String, Object> spec, String file,
    int document) {

  /** {@code Kind namespace/name}, as messages and the load report name it. */
  String label() {
    return kind + " " + namespace + "/" + name;
  }
}
