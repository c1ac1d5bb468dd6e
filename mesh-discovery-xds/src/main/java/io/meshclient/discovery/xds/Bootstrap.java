package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
 * @param certificateProviders the {@code certificate_providers} instances by name, which a cluster's TLS
 *     names as {@code instance_name} (Istio's agent writes one, {@code default})
 */
record Bootstrap(String serverUri, Channel channel, Path tokenFile, Node node, boolean ignoreResourceDeletion,
    Map<String, CertificateProvider> certificateProviders) {
  Bootstrap {
    Objects.requireNonNull(serverUri, "serverUri");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(node, "node");
    certificateProviders = Map.copyOf(certificateProviders);
  }

  /**
   * A {@code file_watcher} certificate provider (gRPC's only plugin, and what Istio's agent writes): PEM
   * files the agent rewrites when it rotates the workload's certificate.
   *
   * @param certificateFile the certificate chain, leaf first
   * @param privateKeyFile the private key of the leaf
   * @param caCertificateFile the CA bundle peers' certificates must chain to
   * @param refreshInterval how often gRPC re-reads the files (default 600s); the mesh checks the
   *     certificate and key at most once a second, at each new handshake, which is never later
   */
  record CertificateProvider(Path certificateFile, Path privateKeyFile, Path caCertificateFile,
      Duration refreshInterval) {
    CertificateProvider {
      Objects.requireNonNull(certificateFile, "certificateFile");
      Objects.requireNonNull(privateKeyFile, "privateKeyFile");
      Objects.requireNonNull(caCertificateFile, "caCertificateFile");
      Objects.requireNonNull(refreshInterval, "refreshInterval");
    }
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
