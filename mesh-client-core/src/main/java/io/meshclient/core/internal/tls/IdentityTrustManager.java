package io.meshclient.core.internal.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a server when its chain validates (PKIX: signatures, validity dates, CA constraints) against one
 * service's trust bundle and its leaf proves the service's {@link PeerIdentity}. Both checks run during
 * the handshake, so a refused server never receives a request byte. No host-name check: instances are
 * addressed by IP, their identity is the SPIFFE ID or DNS name configured for the service.
 */
final class IdentityTrustManager extends X509ExtendedTrustManager {
  private final X509TrustManager pkix;
  private final PeerIdentity identity;

  IdentityTrustManager(List<X509Certificate> trust, PeerIdentity identity) throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
    for (int i = 0; i < trust.size(); i++) {
      store.setCertificateEntry("ca-" + i, trust.get(i));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(store);
    X509TrustManager found = null;
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x) {
        found = x;
      }
    }
    this.pkix = found;
    this.identity = identity;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    pkix.checkServerTrusted(chain, authType);
    if (identity != null) {
      identity.check(chain[0]);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a mesh client trust manager does not authenticate clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }
}
