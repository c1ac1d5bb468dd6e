package io.meshclient.core.internal.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;

/**
 * The plain sockets of the mesh's client, each remembering when its connect began and the timeout it was given,
 * so that the TLS handshake that follows gets what is left of the connect timeout ({@link #handshakeTimeout}) as
 * Envoy's {@code connect_timeout} covers both, instead of the read timeout OkHttp gives it: a server that accepts
 * the connection and never answers the ClientHello would otherwise hold the attempt (and its max-concurrent slot)
 * for the whole per-try timeout. One object more per connection, none per call. Thread-safe.
 */
public final class ConnectTimedSocketFactory extends SocketFactory {
  @Override
  public Socket createSocket() {
    return new TimedSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
  }

  private static Socket connected(SocketAddress remote, SocketAddress local) throws IOException {
    Socket socket = new TimedSocket();
    try {
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(remote);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  /**
   * Bounds the handshake of {@code tls}, made over {@code raw}, by what is left of {@code raw}'s connect timeout
   * (at least 1 ms), if {@code raw} is one of this factory's and was connected with a timeout. OkHttp sets the
   * socket's timeout again for the first exchange (HTTP/1) or clears it (HTTP/2) once the handshake is done.
   */
  static void handshakeTimeout(Socket raw, Socket tls) throws IOException {
    if (raw instanceof TimedSocket timed && timed.connectTimeoutMillis > 0) {
      long left = timed.connectTimeoutMillis - (System.nanoTime() - timed.connectStartNanos) / 1_000_000L;
      tls.setSoTimeout((int) Math.max(1, left));
    }
  }

  /** A socket that remembers the start and the timeout of its connect. */
  private static final class TimedSocket extends Socket {
    private volatile int connectTimeoutMillis;
    private volatile long connectStartNanos;

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      connectStartNanos = System.nanoTime();
      connectTimeoutMillis = timeout;
      super.connect(endpoint, timeout);
    }
  }
}
