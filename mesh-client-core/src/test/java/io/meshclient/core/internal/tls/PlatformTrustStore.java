package io.meshclient.core.internal.tls;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Properties;

/**
 * Points the JVM's default trust store at one test CA through the standard {@code javax.net.ssl.trustStore}
 * properties, and puts the properties back as they were on {@link #close()}. Trust managers made while it is open
 * ({@code TrustManagerFactory.init((KeyStore) null)}) trust that CA and nothing else.
 */
final class PlatformTrustStore implements AutoCloseable {
  private static final String[] PROPERTIES = {
      "javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType"};
  private final Properties saved = new Properties();

  PlatformTrustStore(TestPki.Held ca, Path dir) throws Exception {
    for (String key : PROPERTIES) {
      if (System.getProperty(key) != null) {
        saved.setProperty(key, System.getProperty(key));
      }
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("platform-ca", ca.certificate());
    Path file = dir.resolve("cacerts.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, "changeit".toCharArray());
    }
    System.setProperty("javax.net.ssl.trustStore", file.toString());
    System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
    System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
  }

  @Override
  public void close() {
    for (String key : PROPERTIES) {
      if (saved.containsKey(key)) {
        System.setProperty(key, saved.getProperty(key));
      } else {
        System.clearProperty(key);
      }
    }
  }
}
