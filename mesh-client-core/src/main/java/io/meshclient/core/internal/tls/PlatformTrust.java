package io.meshclient.core.internal.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The platform's default trust manager, for hosts that are not mesh instances. */
public final class PlatformTrust {
  private PlatformTrust() {}

  /**
   * The CA certificates of the JVM's default trust store ({@code javax.net.ssl.trustStore}, else the JDK's
   * cacerts), read now.
   *
   * @throws IllegalStateException if the platform has none or cannot load them
   */
  static java.util.List<java.security.cert.X509Certificate> roots() {
    java.security.cert.X509Certificate[] roots = defaultTrustManager().getAcceptedIssuers();
    if (roots.length == 0) {
      throw new IllegalStateException("the JVM's default trust store holds no CA certificate");
    }
    return java.util.List.of(roots);
  }

  public static X509TrustManager defaultTrustManager() {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x) {
          return x;
        }
      }
      throw new IllegalStateException("the platform has no X509TrustManager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the platform's trust managers are unavailable", e);
    }
  }
}
