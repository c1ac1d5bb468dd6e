package io.meshclient.core.internal.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The platform's default trust manager, for hosts that are not mesh instances. */
public final class PlatformTrust {
  private PlatformTrust() {}

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
