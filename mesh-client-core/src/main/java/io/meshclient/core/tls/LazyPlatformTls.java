package io.meshclient.core.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The platform's trust store and a TLS socket factory over it, loaded on the first TLS connection to a
 * host that is not a mesh instance rather than when the client is built. Loading the JDK's CA bundle
 * costs 150-200 ms of CPU on a cold JVM, which every application paid at start-up even when all its
 * calls go to plain-HTTP mesh services; OkHttp's own default loads it eagerly.
 *
 * <p>OkHttp asks a client's trust manager for its accepted issuers while the client is built, to index
 * them for certificate pinning. {@link #deferIssuers(Runnable)} answers that one question with none, so
 * the index of the mesh's own client is empty: a client derived from it with {@code newBuilder()} cannot
 * add a {@code CertificatePinner} (every pinned connection is refused, never accepted). Pin on the base
 * client given to {@code Mesh.Builder.okHttpClient}, whose trust the mesh then uses. Every other call of
 * {@link #getAcceptedIssuers()} loads the store and answers truly. Thread-safe.
 */
public final class LazyPlatformTls {
  private final Object lock = new Object();
  private final TrustManager trustManager = new Trust();
  private final SSLSocketFactory socketFactory = new Sockets();
  private volatile Loaded loaded;
  private volatile boolean deferringIssuers;

  /** The trust manager to give OkHttp; delegates to the platform's, loading it on first use. */
  public X509TrustManager trustManager() {
    return (X509TrustManager) trustManager;
  }

  /** The socket factory for hosts that are not mesh instances; loads the platform's trust on first use. */
  public SSLSocketFactory socketFactory() {
    return socketFactory;
  }

  /** Whether the platform's trust store has been loaded yet. */
  public boolean isLoaded() {
    return loaded != null;
  }

  /**
   * Runs {@code buildStep} (which hands {@link #trustManager()} to an OkHttp builder) with the accepted
   * issuers reported as none, so that building the client does not load the store.
   */
  public void deferIssuers(Runnable buildStep) {
    synchronized (lock) {
      deferringIssuers = true;
      try {
        buildStep.run();
      } finally {
        deferringIssuers = false;
      }
    }
  }

  private Loaded loaded() {
    Loaded l = loaded;
    if (l == null) {
      synchronized (lock) {
        l = loaded;
        if (l == null) {
          l = load();
          loaded = l;
        }
      }
    }
    return l;
  }

  private static Loaded load() {
    X509TrustManager platform = PlatformTrust.defaultTrustManager();
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {platform}, null);
      return new Loaded(platform, context.getSocketFactory());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the platform's TLS context is unavailable", e);
    }
  }

  private record Loaded(X509TrustManager trust, SSLSocketFactory sockets) {}

  /**
   * Checks a chain as the platform's trust manager does. The mesh's connections do not go through it
   * (the socket factory holds the platform's own); OkHttp and callers of {@code x509TrustManager()} do.
   */
  final class Trust implements X509TrustManager {
    /** The lazy platform TLS this belongs to. */
    LazyPlatformTls owner() {
      return LazyPlatformTls.this;
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      if (deferringIssuers && loaded == null) {
        return new X509Certificate[0];
      }
      return loaded().trust().getAcceptedIssuers();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      loaded().trust().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      loaded().trust().checkServerTrusted(chain, authType);
    }
  }

  /** The platform's TLS socket factory, created on the first socket. */
  private final class Sockets extends SSLSocketFactory {
    @Override
    public String[] getDefaultCipherSuites() {
      return loaded().sockets().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return loaded().sockets().getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
      return loaded().sockets().createSocket(socket, host, port, autoClose);
    }

    @Override
    public Socket createSocket() throws IOException {
      return loaded().sockets().createSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return loaded().sockets().createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return loaded().sockets().createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return loaded().sockets().createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return loaded().sockets().createSocket(address, port, localAddress, localPort);
    }
  }
}
