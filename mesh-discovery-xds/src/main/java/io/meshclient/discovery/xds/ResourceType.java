package io.meshclient.discovery.xds;

/** The four xDS resource types this client subscribes to, in the order a reconnect resends them. */
enum ResourceType {
  LDS("type.googleapis.com/envoy.config.listener.v3.Listener", "listener"),
  CDS("type.googleapis.com/envoy.config.cluster.v3.Cluster", "cluster"),
  RDS("type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "route_configuration"),
  EDS("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "cluster_load_assignment");

  private final String typeUrl;
  private final String kind;

  ResourceType(String typeUrl, String kind) {
    this.typeUrl = typeUrl;
    this.kind = kind;
  }

  /** What a resource of the type is called in problems: {@code cluster outbound|9080|v1|reviews...}. */
  String kind() {
    return kind;
  }

  String typeUrl() {
    return typeUrl;
  }

  /** The type of {@code url}, or null for one this client does not subscribe to. */
  static ResourceType of(String url) {
    for (ResourceType t : values()) {
      if (t.typeUrl.equals(url)) {
        return t;
      }
    }
    return null;
  }

  /** Whether a resource missing from a state-of-the-world response is deleted (LDS, CDS) or kept (RDS, EDS). */
  boolean missingMeansDeleted() {
    return this == LDS || this == CDS;
  }
}
