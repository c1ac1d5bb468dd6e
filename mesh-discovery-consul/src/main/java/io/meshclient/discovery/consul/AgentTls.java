package io.meshclient.discovery.consul;

import io.meshclient.api.ConfigurationException;
import io.meshclient.discovery.consul.ConsulDiscoverySettings.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** Builds the {@link SSLContext} for an {@code https} agent from {@link Tls} settings. */
final class AgentTls {
  private AgentTls() {}

  /**
   * The context to reach the agent with: the JDK defaults unless a CA file, trust store or key store is
   * set.
   *
   * @param key the configuration key of the TLS settings, for messages
   * @throws ConfigurationException naming the file that cannot be used; passwords are never shown
   */
  static SSLContext sslContext(Tls tls, String key) {
    try {
      if (!tls.isConfigured()) {
        return SSLContext.getDefault();
      }
      TrustManager[] trust = null;
      if (tls.caFile() != null) {
        trust = trustManagers(pemTrustStore(tls.caFile(), key + ".ca-file"));
      } else if (tls.trustStore() != null) {
        trust = trustManagers(load(tls.trustStore(), tls.trustStorePassword(), key + ".trust-store"));
      }
      KeyManager[] keys = null;
      if (tls.keyStore() != null) {
        char[] password = chars(tls.keyStorePassword());
        KeyStore store = load(tls.keyStore(), tls.keyStorePassword(), key + ".key-store");
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
          factory.init(store, password);
        } catch (GeneralSecurityException e) {
          throw new ConfigurationException(ConfigurationException.problem(key + ".key-store", tls.keyStore(),
              "a key store whose keys open with tls.key-store-password"), e);
        }
        keys = factory.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(
          ConfigurationException.problem(key, tls, "settings this JDK can build a TLS context from"), e);
    }
  }

  private static KeyStore pemTrustStore(Path file, String key) throws GeneralSecurityException {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(file)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigurationException(
          ConfigurationException.problem(key, file, "a PEM file of CA certificates"), e);
    }
    if (certificates.isEmpty()) {
      throw new ConfigurationException(List.of(
          ConfigurationException.problem(key, file, "a PEM file of CA certificates")));
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    int i = 0;
    for (Certificate certificate : certificates) {
      store.setCertificateEntry("ca-" + i++, certificate);
    }
    return store;
  }

  private static KeyStore load(Path file, String password, String key) {
    try {
      // Probes the format: PKCS12 and JKS both work.
      return KeyStore.getInstance(file.toFile(), chars(password));
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigurationException(ConfigurationException.problem(key, file,
          "a PKCS12 or JKS file that opens with " + key.substring(key.lastIndexOf('.') + 1) + "-password"), e);
    }
  }

  private static TrustManager[] trustManagers(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory.getTrustManagers();
  }

  private static char[] chars(String password) {
    return password == null ? null : password.toCharArray();
  }
}
