package io.meshclient.core.internal.tls;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.config.TlsConfig;
import java.io.IOException;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/** The TLS client side of one service: its trust bundle, identity check and (rotating) client identity. */
public final class ServiceTls {
  private final TlsConfig config;
  private final PeerIdentity identity;
  private final ReloadingKeyManager keyManager;
  private final IdentityTrustManager trustManager;
  private final SSLContext context;

  private ServiceTls(TlsConfig config, PeerIdentity identity, ReloadingKeyManager keyManager,
      IdentityTrustManager trustManager, SSLContext context) {
    this.config = config;
    this.identity = identity;
    this.keyManager = keyManager;
    this.trustManager = trustManager;
    this.context = context;
  }

  /**
   * Loads and checks every file now.
   *
   * @param key the configuration key of the settings, such as {@code mesh.services.reviews.tls}
   * @throws ConfigurationException naming the key of the setting that does not load
   */
  public static ServiceTls create(String key, TlsConfig config, ClassLoader classLoader) {
    return create(TlsConfig.Keys.under(key), config, classLoader);
  }

  /**
   * Loads and checks every file now.
   *
   * @param keys the key each setting is named by in a problem
   * @throws ConfigurationException naming the key of the setting that does not load
   */
  public static ServiceTls create(TlsConfig.Keys keys, TlsConfig config, ClassLoader classLoader) {
    PeerIdentity identity = null;
    if (config.peerIdentity() != null) {
      try {
        identity = PeerIdentity.parse(config.peerIdentity());
      } catch (IllegalArgumentException e) {
        throw ConfigurationException.of(keys.peerIdentity(), config.peerIdentity(),
            "a SPIFFE ID such as spiffe://prod/ns/default/sa/reviews, or a DNS name (" + e.getMessage() + ")");
      }
    }
    String unbound = systemTrustProblem(config);
    if (unbound != null) {
      throw ConfigurationException.of(keys.peerIdentity(), "missing", unbound);
    }
    IdentityTrustManager trustManager;
    try {
      trustManager = new IdentityTrustManager(isSystem(config) ? PlatformTrust.roots()
          : new PemSource(config.trust(), classLoader).certificates(), identity);
    } catch (IOException | GeneralSecurityException | IllegalStateException e) {
      throw new ConfigurationException(ConfigurationException.problem(keys.trust(), config.trust(), (isSystem(config)
          ? "the JVM's default trust store, with CA certificates (" : "a readable PEM bundle of CA certificates (")
          + describe(e) + ")"), e);
    }
    ReloadingKeyManager keyManager = null;
    if (config.certChain() != null) {
      PemSource chain = new PemSource(config.certChain(), classLoader);
      PemSource privateKey = new PemSource(config.privateKey() != null ? config.privateKey() : config.certChain(),
          classLoader);
      try {
        chain.certificates();
      } catch (IOException | GeneralSecurityException e) {
        throw new ConfigurationException(ConfigurationException.problem(keys.certChain(), config.certChain(),
            "a readable PEM certificate chain, leaf first (" + describe(e) + ")"), e);
      }
      String keyKey = config.privateKey() != null ? keys.privateKey() : keys.certChain();
      String keyLocation = config.privateKey() != null ? config.privateKey() : config.certChain();
      try {
        privateKey.privateKey();
        keyManager = new ReloadingKeyManager(chain, privateKey);
      } catch (IOException | GeneralSecurityException e) {
        throw new ConfigurationException(ConfigurationException.problem(keyKey, keyLocation,
            "a readable PEM PKCS#8 private key matching the certificate (" + describe(e) + ")"), e);
      }
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManager == null ? null : new KeyManager[] {keyManager}, new TrustManager[] {trustManager},
          null);
      return new ServiceTls(config, identity, keyManager, trustManager, context);
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(ConfigurationException.problem(keys.trust(), config, "usable TLS settings ("
          + e.getMessage() + ")"), e);
    }
  }

  /** Whether {@code config} trusts the JVM's default trust store ({@value TlsConfig#SYSTEM_TRUST}), not a file. */
  public static boolean isSystem(TlsConfig config) {
    return TlsConfig.SYSTEM_TRUST.equals(config.trust());
  }

  /**
   * Null, or what {@code config} lacks to be safe with the JVM's trust store: a peer identity. The public CAs
   * in it vouch for any name, and instances are addressed by IP with no host name check, so without one any
   * certificate a public CA issued would be accepted.
   */
  public static String systemTrustProblem(TlsConfig config) {
    return isSystem(config) && config.peerIdentity() == null
        ? "the DNS name the instances' certificates must carry (dns:api.example.com) with trust: "
            + TlsConfig.SYSTEM_TRUST + ": the public CAs of the JVM's trust store vouch for any name" : null;
  }

  /** What went wrong, without any of the file's content. */
  private static String describe(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "not readable";
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "not a PEM text file: it holds bytes other than ASCII";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  public TlsConfig config() {
    return config;
  }

  /** The identity instances must prove, or null. */
  public PeerIdentity identity() {
    return identity;
  }

  /** The trust bundle and identity check, as a trust manager (OkHttp cleans certificate chains with it). */
  javax.net.ssl.X509TrustManager trustManager() {
    return trustManager;
  }

  /** The subject of the client certificate in use, or null without one. */
  public String clientSubject() {
    return keyManager == null ? null : keyManager.subject();
  }

  /**
   * The factory for a new connection. If the client identity files were rotated, the new identity is
   * loaded first and cached TLS sessions are dropped, so the connection presents the new certificate
   * instead of resuming a session made with the old one. Connections already open are left alone.
   */
  SSLSocketFactory socketFactoryForNewConnection() {
    if (keyManager != null && keyManager.maybeReload()) {
      javax.net.ssl.SSLSessionContext sessions = context.getClientSessionContext();
      for (var ids = sessions.getIds(); ids.hasMoreElements(); ) {
        javax.net.ssl.SSLSession session = sessions.getSession(ids.nextElement());
        if (session != null) {
          session.invalidate();
        }
      }
    }
    return context.getSocketFactory();
  }
}
