package io.meshclient.core.internal;

import io.meshclient.api.ServiceDiscovery;
import java.util.Map;

/**
 * A discovery the mesh uses, with the settings it was created from (null for one the caller supplied
 * and owns).
 */
record DiscoveryBinding(String name, ServiceDiscovery discovery, Map<String, Object> settings) {
  boolean ownedByMesh() {
    return settings != null;
  }
}
