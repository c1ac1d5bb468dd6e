package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Map;

/** A response decoded and validated resource by resource, and taken into a candidate. Stateless. */
final class ResponseDecoding {
  private ResponseDecoding() {}

  /**
   * The response of {@code type}, decoded resource by resource, taken into {@code candidate} (a copy of {@code
   * accepted}): its valid resources put in, its invalid ones recorded ({@link XdsResources#take}).
   *
   * @param cdsVersion the CDS version acked, which a route naming a cluster CDS lacks is checked against
   */
  static ResourceUpdate<?> take(ResourceType type, String version, List<Any> resources, XdsResources candidate,
      XdsResources accepted, boolean ignoreResourceDeletion,
      Map<String, Bootstrap.CertificateProvider> certificateProviders, String cdsVersion) {
    return switch (type) {
      case LDS -> candidate.take(candidate.listeners, ignoreResourceDeletion,
          ResourceUpdate.decode(type, version, resources, ListenerResource::decode, ListenerResource::name));
      case RDS -> {
        ResourceUpdate<RouteConfiguration> u =
            ResourceUpdate.decode(type, version, resources, RouteChecks::decode, RouteConfiguration::getName);
        RouteChecks.checkClusters(candidate, u, cdsVersion);
        yield candidate.take(candidate.routes, ignoreResourceDeletion, u);
      }
      case CDS -> {
        ResourceUpdate<ClusterResource> u = ResourceUpdate.decode(type, version, resources,
            a -> ClusterResource.decode(a, certificateProviders), ClusterResource::name);
        ClusterResource.checkTlsFiles(u, accepted.clusters);
        candidate.clustersKnown = true;
        yield candidate.take(candidate.clusters, ignoreResourceDeletion, u);
      }
      case EDS -> candidate.take(candidate.endpoints, ignoreResourceDeletion,
          ResourceUpdate.decode(type, version, resources, EndpointResource::decode, EndpointResource::name));
    };
  }
}
