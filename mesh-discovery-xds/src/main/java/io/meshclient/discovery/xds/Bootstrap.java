package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What gRPC's xDS bootstrap says (or the equivalent mesh settings): the one server to open the ADS
 * stream to, how to reach it, and the node this client presents.
 *
 * @param serverUri a gRPC target: {@code host:port}, {@code dns:///host:port} or {@code unix:///path}
 * @param channel plaintext, TLS or mutual TLS to the server
 * @param tokenFile a JWT or other bearer token file sent as {@code authorization: Bearer ...} on the
 *     stream (re-read on every connect, so a rotated token is used), or null
 * @param node the node id, cluster, metadata and locality the server sees
 * @param ignoreResourceDeletion the server's {@code ignore_resource_deletion} feature: a listener or
 *     cluster missing from a response is kept rather than deleted
 */
record Bootstrap(String serverUri, Channel channel, Path tokenFile, Node node, boolean ignoreResourceDeletion) {
  Bootstrap {
    Objects.requireNonNull(serverUri, "serverUri");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(node, "node");
  }

  /**
   * Transport security to the xDS server.
   *
   * @param tls false for plaintext ({@code insecure})
   * @param caFile the CA bundle the server's certificate must chain to, or null for the platform's
   * @param certFile the client certificate chain for mutual TLS, or null
   * @param keyFile the client's private key for mutual TLS, or null
   */
  record Channel(boolean tls, Path caFile, Path certFile, Path keyFile) {
    static final Channel PLAINTEXT = new Channel(false, null, null, null);

    @Override
    public String toString() {
      return !tls ? "plaintext" : certFile == null ? "tls" : "mtls";
    }
  }
}
