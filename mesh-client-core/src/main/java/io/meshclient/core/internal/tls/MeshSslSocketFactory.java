package io.meshclient.core.internal.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocketFactory;

/**
 * The mesh client's one TLS socket factory: connections to an instance of a service with TLS settings
 * use that service's context; every other host uses the fallback (the platform's, or the base client's).
 * OkHttp keys its pool by this factory and host:port, so each instance still gets its own connections.
 *
 * <p>A TLS connection to a mesh instance sends the service's name as SNI, and the instance's
 * certificate is verified against that name, the name the caller used, not against the instance's
 * address; a service whose {@code tls.peer-identity} pins the identity is verified against that instead
 * (in the handshake). The handshake of such a connection is bounded by what is left of the connect timeout
 * ({@link ConnectTimedSocketFactory}), as Envoy's {@code connect_timeout} bounds it.
 */
public final class MeshSslSocketFactory extends SSLSocketFactory {
  private volatile SSLSocketFactory fallback;
  private volatile HostnameVerifier fallbackVerifier;
  private volatile Map<String, ServiceTls> byAddress = Map.of();
  /** {@code host:port} of every mesh instance reached over TLS -> the name of its service. */
  private volatile Map<String, String> serviceByAddress = Map.of();
  /**
   * {@code host:port} of the instances that more than one service lists over TLS -> those services' names. Their
   * calls bring their own TLS client ({@link SubsetTls}); a connection made through this factory to such an
   * address could be verified for one of the services and pooled for the others, so none is made.
   */
  private volatile Map<String, String> sharedAddresses = Map.of();

  /** A factory whose fallback is set later, with {@link #fallback}, before any connection is made. */
  public MeshSslSocketFactory() {}

  /** Sets the factory and verifier for hosts that are not mesh instances (the base client's). */
  public void fallback(SSLSocketFactory sockets, HostnameVerifier verifier) {
    this.fallback = sockets;
    this.fallbackVerifier = verifier;
  }

  /**
   * Replaces the maps from {@code host:port} (OkHttp's canonical host) to the TLS settings of its service
   * and to the service's name (every instance the mesh reaches over TLS).
   */
  public void update(Map<String, ServiceTls> tlsByAddress, Map<String, String> servicesByAddress,
      Map<String, String> shared) {
    this.byAddress = Map.copyOf(tlsByAddress);
    this.serviceByAddress = Map.copyOf(servicesByAddress);
    this.sharedAddresses = Map.copyOf(shared);
  }

  /**
   * For a mesh instance: accepts it if its service pins the peer identity (the handshake proved it),
   * else verifies the certificate against the service's name. Every other host goes to the fallback
   * verifier, against its own name.
   */
  public HostnameVerifier hostnameVerifier() {
    return (String host, SSLSession session) -> {
      String address = host + ":" + session.getPeerPort();
      String service = serviceByAddress.get(address);
      if (service == null) {
        return fallbackVerifier.verify(host, session);
      }
      ServiceTls tls = byAddress.get(address);
      return tls != null && tls.identity() != null || fallbackVerifier.verify(service, session);
    };
  }

  @Override
  public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
    String address = host + ":" + port;
    String sharedBy = sharedAddresses.get(address);
    if (sharedBy != null) {
      throw new SSLHandshakeException("instance " + address + " is listed by services " + sharedBy
          + ": a connection to it is made only by a call to one of them, verified for that service");
    }
    ServiceTls tls = byAddress.get(address);
    Socket created = (tls != null ? tls.socketFactoryForNewConnection() : fallback)
        .createSocket(socket, host, port, autoClose);
    String service = serviceByAddress.get(address);
    return service == null ? created : forInstance(socket, created, service);
  }

  /**
   * {@code created}, layered over {@code raw} to reach an instance of {@code service}: sending the service's name
   * as SNI, its handshake bounded by what is left of the connect timeout.
   */
  static Socket forInstance(Socket raw, Socket created, String service) throws IOException {
    ConnectTimedSocketFactory.handshakeTimeout(raw, created);
    return withServerName(created, service);
  }

  /** {@code created}, sending {@code service} as SNI if it is a TLS socket. */
  static Socket withServerName(Socket created, String service) {
    if (created instanceof SSLSocket ssl) {
      SSLParameters parameters = ssl.getSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName(service)));
      ssl.setSSLParameters(parameters);
    }
    return created;
  }

  /** The factory of hosts that are not mesh instances (the base client's); set before any connection. */
  SSLSocketFactory fallbackSockets() {
    return fallback;
  }

  /** The verifier of hosts that are not mesh instances (the base client's); set before any connection. */
  HostnameVerifier fallbackVerifier() {
    return fallbackVerifier;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return fallback.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return fallback.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return fallback.createSocket(host, port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return fallback.createSocket(host, port, localHost, localPort);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return fallback.createSocket(host, port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return fallback.createSocket(address, port, localAddress, localPort);
  }
}
