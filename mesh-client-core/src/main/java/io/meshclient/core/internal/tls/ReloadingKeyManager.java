package io.meshclient.core.internal.tls;

import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.ProviderException;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The client identity of one service, reloaded from its files when either the certificate chain or the
 * private key has changed and the two load as a pair: a certificate renewed without a new key is taken up;
 * a rotation half written (a new certificate before its key), or a corrupt file, keeps the previous identity
 * and logs why, once, and is tried again when a file changes again. Checked at most once a second, at
 * handshake time: no thread of its own.
 * Connections already open keep the identity they were made with.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final System.Logger LOG = System.getLogger(ReloadingKeyManager.class.getName());
  private static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;

  private final PemSource chain;
  private final PemSource key;
  private volatile Loaded loaded;
  /** The identity before the last reload, so a handshake that chose it still finds its chain and key. */
  private volatile Loaded previous;
  private volatile long nextCheck;
  private long refusedChainStamp;
  private long refusedKeyStamp;

  /** One loaded identity; its alias names its generation, so chain and key always come from the same one. */
  private record Loaded(X509ExtendedKeyManager manager, long chainStamp, long keyStamp, String subject, String alias) {}

  private int generation;

  /** Loads the identity now; a failure is the caller's configuration error. */
  ReloadingKeyManager(PemSource chain, PemSource key) throws GeneralSecurityException, java.io.IOException {
    this.chain = chain;
    this.key = key;
    this.loaded = load(chain.lastModified(), key.lastModified());
    this.nextCheck = System.nanoTime() + CHECK_INTERVAL_NANOS;
  }

  private Loaded load(long chainStamp, long keyStamp) throws GeneralSecurityException, java.io.IOException {
    List<X509Certificate> certificates = chain.certificates();
    PrivateKey privateKey = key.privateKey();
    checkPair(privateKey, certificates.get(0));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = new char[0];
    String alias = "mesh-" + (++generation);
    store.setKeyEntry(alias, privateKey, password, certificates.toArray(new X509Certificate[0]));
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, password);
    X509ExtendedKeyManager manager = (X509ExtendedKeyManager) factory.getKeyManagers()[0];
    return new Loaded(manager, chainStamp, keyStamp, certificates.get(0).getSubjectX500Principal().getName(), alias);
  }

  /**
   * Refuses a private key that is not the leaf certificate's, or that cannot sign (an EC curve the JDK does
   * not implement): the JDK's key store takes such a pair, and every handshake would then fail at the server.
   * The key signs a fixed message and the certificate's public key verifies the signature.
   */
  static void checkPair(PrivateKey key, X509Certificate leaf) throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519" -> "Ed25519";
      default -> throw new GeneralSecurityException("a " + key.getAlgorithm() + " private key (expected RSA, EC or "
          + "Ed25519)");
    };
    String subject = leaf.getSubjectX500Principal().getName();
    byte[] message = "mesh-client: does this key go with its certificate?".getBytes(StandardCharsets.US_ASCII);
    byte[] signature;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(message);
      signature = signer.sign();
    } catch (GeneralSecurityException | ProviderException e) {
      throw new GeneralSecurityException("the " + key.getAlgorithm() + " private key cannot sign here ("
          + e.getMessage() + ")", e);
    }
    boolean matches;
    try {
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(message);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException | ProviderException e) {
      matches = false; // a key of another algorithm than the certificate's
    }
    if (!matches) {
      throw new GeneralSecurityException("the private key (" + key.getAlgorithm() + ") is not the key of the "
          + "certificate " + subject + " (" + leaf.getPublicKey().getAlgorithm() + ")");
    }
  }

  /** Reloads if either file changed since the identity in use was loaded; true if it did. */
  boolean maybeReload() {
    long now = System.nanoTime();
    if (now - nextCheck < 0) {
      return false;
    }
    synchronized (this) {
      if (now - nextCheck < 0) {
        return false;
      }
      nextCheck = now + CHECK_INTERVAL_NANOS;
      Loaded current = loaded;
      long chainStamp = chain.lastModified();
      long keyStamp = key.lastModified();
      if (chainStamp == current.chainStamp() && keyStamp == current.keyStamp()) {
        return false;
      }
      if (chainStamp == refusedChainStamp && keyStamp == refusedKeyStamp) {
        return false;
      }
      try {
        Loaded next = load(chainStamp, keyStamp);
        previous = current;
        loaded = next;
        LOG.log(Level.INFO, "reloaded TLS client identity from {0} (subject {1})", chain.location(),
            loaded.subject());
        return true;
      } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
        refusedChainStamp = chainStamp;
        refusedKeyStamp = keyStamp;
        LOG.log(Level.WARNING, "keeping the previous TLS client identity: {0} and {1} do not load as a pair ({2})",
            chain.location(), key.location(), e.getClass().getSimpleName() + ": " + e.getMessage());
        return false;
      }
    }
  }

  /** The subject of the certificate in use. */
  String subject() {
    return loaded.subject();
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    maybeReload();
    return loaded.manager().chooseClientAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    maybeReload();
    return loaded.manager().chooseEngineClientAlias(keyType, issuers, engine);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Loaded l = byAlias(alias);
    return l == null ? null : l.manager().getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Loaded l = byAlias(alias);
    return l == null ? null : l.manager().getPrivateKey(alias);
  }

  private Loaded byAlias(String alias) {
    Loaded current = loaded;
    if (current.alias().equals(alias)) {
      return current;
    }
    Loaded before = previous;
    return before != null && before.alias().equals(alias) ? before : null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return loaded.manager().getClientAliases(keyType, issuers);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[0];
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
