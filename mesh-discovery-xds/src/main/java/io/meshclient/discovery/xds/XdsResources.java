package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.HashMap;
import java.util.Map;

/**
 * The validated resources last accepted, by type and name. Copied for each candidate update, so a
 * refused response leaves the accepted state untouched. Confined to the xDS thread.
 */
final class XdsResources {
  final Map<String, ListenerResource> listeners;
  final Map<String, RouteConfiguration> routes;
  final Map<String, ClusterResource> clusters;
  final Map<String, EndpointResource> endpoints;
  /** Whether a CDS response was accepted, so a cluster missing from {@link #clusters} is known not to exist. */
  boolean clustersKnown;

  XdsResources() {
    this(new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>(), false);
  }

  private XdsResources(Map<String, ListenerResource> listeners, Map<String, RouteConfiguration> routes,
      Map<String, ClusterResource> clusters, Map<String, EndpointResource> endpoints, boolean clustersKnown) {
    this.listeners = listeners;
    this.routes = routes;
    this.clusters = clusters;
    this.endpoints = endpoints;
    this.clustersKnown = clustersKnown;
  }

  XdsResources copy() {
    return new XdsResources(new HashMap<>(listeners), new HashMap<>(routes), new HashMap<>(clusters),
        new HashMap<>(endpoints), clustersKnown);
  }
}
