package io.meshclient.core.internal.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Objects;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS client of the calls routed to one subset that has a {@code tls} of its own (mesh.yaml {@code
 * subset-policies.<subset>.tls}, a DestinationRule subset's {@code trafficPolicy.tls}): a socket factory and a
 * host-name verifier of its own, which each such call puts on its OkHttp chain in place of the client's.
 *
 * <p>OkHttp pools connections by address, and an address includes the socket factory and the verifier (by
 * identity) besides host and port. So a connection this subset made, with its client certificate, is only ever
 * reused by calls routed to this subset, and its calls never take a connection made for the service or for
 * another subset, even to the same instance. One object serves the subset for as long as its settings do not
 * change (across reconfigurations too), so its calls reuse each other's connections.
 *
 * <p>As with the service's TLS, the subset's instances get the service's name as SNI, and are verified by the
 * pinned {@code peer-identity} during the handshake, or else against the service's name. Thread-safe.
 *
 * <p>It is also the client of every call to a service one of whose TLS instance addresses another service lists
 * too (a gateway's): {@link MeshSslSocketFactory} chooses TLS settings and the name to verify by address, so
 * such calls bring their service's own ({@code tls} null: the base client's TLS), and the pool never gives
 * one service's connection, verified for its name, to the other's call.
 */
public final class SubsetTls {
  private final String service;
  private final ServiceTls tls;
  private final MeshSslSocketFactory mesh;
  private final SSLSocketFactory sockets = new Sockets();
  private final HostnameVerifier verifier = this::verify;

  /**
   * @param service the service's name: the SNI sent and, without a pinned identity, the name verified
   * @param tls the subset's TLS settings, loaded; null for the base client's TLS (a service without {@code tls}
   *     whose instances are secure)
   * @param mesh the mesh's socket factory, whose fallback verifier (the base client's) checks the service's name
   */
  public SubsetTls(String service, ServiceTls tls, MeshSslSocketFactory mesh) {
    this.service = Objects.requireNonNull(service, "service");
    this.tls = tls;
    this.mesh = Objects.requireNonNull(mesh, "mesh");
  }

  /** The subset's TLS settings and their rotation state; null for the base client's TLS. */
  public ServiceTls tls() {
    return tls;
  }

  /** The factory of the subset's connections; the same object for as long as this one serves. */
  public SSLSocketFactory socketFactory() {
    return sockets;
  }

  /** The subset's trust bundle and identity check; {@code base}, the base client's, for the base client's TLS. */
  public X509TrustManager trustManagerOr(X509TrustManager base) {
    return tls == null ? base : tls.trustManager();
  }

  /** The verifier of the subset's connections; the same object for as long as this one serves. */
  public HostnameVerifier hostnameVerifier() {
    return verifier;
  }

  /** Accepts what the handshake proved when the identity is pinned, else checks the service's name. */
  private boolean verify(String host, SSLSession session) {
    return tls != null && tls.identity() != null || mesh.fallbackVerifier().verify(service, session);
  }

  private SSLSocketFactory factory() {
    return tls == null ? mesh.fallbackSockets() : tls.socketFactoryForNewConnection();
  }

  /** The subset's context, with the service's name as SNI. */
  private final class Sockets extends SSLSocketFactory {
    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
      return MeshSslSocketFactory.forInstance(socket,
          factory().createSocket(socket, host, port, autoClose), service);
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return factory().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return factory().getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return MeshSslSocketFactory.withServerName(factory().createSocket(host, port), service);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return MeshSslSocketFactory.withServerName(
          factory().createSocket(host, port, localHost, localPort), service);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return MeshSslSocketFactory.withServerName(factory().createSocket(host, port), service);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return MeshSslSocketFactory.withServerName(
          factory().createSocket(address, port, localAddress, localPort), service);
    }
  }
}
