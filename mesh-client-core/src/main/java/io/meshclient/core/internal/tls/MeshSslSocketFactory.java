package io.meshclient.core.internal.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocketFactory;

/**
 * The mesh client's one TLS socket factory: connections to an instance of a service with TLS settings
 * use that service's context; every other host uses the fallback (the platform's, or the base client's).
 * OkHttp keys its pool by this factory and host:port, so each instance still gets its own connections.
 */
public final class MeshSslSocketFactory extends SSLSocketFactory {
  private volatile SSLSocketFactory fallback;
  private volatile HostnameVerifier fallbackVerifier;
  private volatile Map<String, ServiceTls> byAddress = Map.of();

  /** A factory whose fallback is set later, with {@link #fallback}, before any connection is made. */
  public MeshSslSocketFactory() {}

  /** Sets the factory and verifier for hosts that are not mesh instances (the base client's). */
  public void fallback(SSLSocketFactory sockets, HostnameVerifier verifier) {
    this.fallback = sockets;
    this.fallbackVerifier = verifier;
  }

  /** Replaces the map from {@code host:port} (OkHttp's canonical host) to the TLS settings of its service. */
  public void update(Map<String, ServiceTls> tlsByAddress) {
    this.byAddress = Map.copyOf(tlsByAddress);
  }

  /**
   * Accepts mesh instances whose identity the handshake already proved (host names are not what mesh
   * instances are known by); every other host goes to the fallback verifier.
   */
  public HostnameVerifier hostnameVerifier() {
    return (String host, SSLSession session) ->
        byAddress.containsKey(host + ":" + session.getPeerPort()) || fallbackVerifier.verify(host, session);
  }

  @Override
  public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
    ServiceTls tls = byAddress.get(host + ":" + port);
    return (tls != null ? tls.socketFactoryForNewConnection() : fallback).createSocket(socket, host, port, autoClose);
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
