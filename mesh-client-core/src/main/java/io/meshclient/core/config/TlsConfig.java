package io.meshclient.core.config;

import java.util.Objects;

/**
 * Mutual TLS to a service's instances. Locations are {@code file:path}, {@code classpath:path} or a plain
 * path. The private key and certificate chain are reloaded when both files change and parse, so a
 * rotated identity is used by new connections without a restart.
 *
 * @param trust PEM bundle of the CA certificates the instances' certificates must chain to, or {@value
 *     #SYSTEM_TRUST}: the JVM's default trust store (then {@code peerIdentity} is required, since its public CAs
 *     vouch for any name); a file named {@code system} is {@code file:system}
 * @param certChain PEM client certificate chain, leaf first (may also hold the private key), or null for
 *     server-authenticated TLS only
 * @param privateKey PEM private key of the client certificate (PKCS#8, PKCS#1 RSA or SEC1 EC), or null when {@code certChain}
 *     holds it
 * @param peerIdentity what the instances must prove: a SPIFFE ID ({@code spiffe://prod/ns/default/sa/reviews})
 *     or a DNS name ({@code dns:reviews.prod.svc} or just the name); null accepts any certificate the
 *     trust bundle accepts
 */
public record TlsConfig(String trust, String certChain, String privateKey, String peerIdentity) {
  /** The {@link #trust()} that means the JVM's default trust store instead of a file. */
  public static final String SYSTEM_TRUST = "system";

  public TlsConfig {
    Objects.requireNonNull(trust, "trust");
  }

  /** TLS settings whose files load only when the mesh builds: what can be checked without reading them. */
  void validate(String key, java.util.List<String> problems) {
    if (trust.isBlank()) {
      problems.add(SecretKeys.problem(key + ".trust", "''", "the location of a PEM CA bundle, such as "
          + "file:/etc/mesh/ca.pem"));
    }
    String unbound = io.meshclient.core.internal.tls.ServiceTls.systemTrustProblem(this);
    if (unbound != null) {
      problems.add(SecretKeys.problem(key + ".peer-identity", "missing", unbound));
    }
    if (peerIdentity != null) {
      try {
        io.meshclient.core.internal.tls.PeerIdentity.parse(peerIdentity);
      } catch (IllegalArgumentException e) {
        problems.add(SecretKeys.problem(key + ".peer-identity", peerIdentity,
            "a SPIFFE ID such as spiffe://prod/ns/default/sa/reviews, or a DNS name (" + e.getMessage() + ")"));
      }
    }
    if (privateKey != null && certChain == null) {
      problems.add(SecretKeys.problem(key + ".cert-chain", "missing",
          "a certificate chain to go with tls.private-key"));
    }
  }

  /**
   * Loads every file now and checks it as the mesh does when it applies these settings: the trust bundle
   * and the certificate chain parse, the private key parses and is the leaf certificate's, the peer
   * identity is a SPIFFE ID or a DNS name. For a source that must refuse settings whose files do not
   * load before it hands them to the mesh (an xDS client NACKs them). Reads the files on every call;
   * thread-safe.
   *
   * @param keys the key each setting is named by in a problem
   * @param classLoader the loader of {@code classpath:} locations
   * @throws io.meshclient.api.ConfigurationException naming the key and location of the first setting that
   *     does not load and why (never the file's content)
   */
  public void check(Keys keys, ClassLoader classLoader) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(classLoader, "classLoader");
    io.meshclient.core.internal.tls.ServiceTls.create(keys, this, classLoader);
  }

  /**
   * The keys naming each setting in a problem.
   *
   * @param trust names {@link #trust()}
   * @param certChain names {@link #certChain()}, and the private key when the chain holds it
   * @param privateKey names {@link #privateKey()}
   * @param peerIdentity names {@link #peerIdentity()}
   */
  public record Keys(String trust, String certChain, String privateKey, String peerIdentity) {
    public Keys {
      Objects.requireNonNull(trust, "trust");
      Objects.requireNonNull(certChain, "certChain");
      Objects.requireNonNull(privateKey, "privateKey");
      Objects.requireNonNull(peerIdentity, "peerIdentity");
    }

    /** mesh.yaml's keys under {@code prefix}: {@code prefix.trust}, {@code .cert-chain}, {@code .private-key}, {@code .peer-identity}. */
    public static Keys under(String prefix) {
      return new Keys(prefix + ".trust", prefix + ".cert-chain", prefix + ".private-key", prefix + ".peer-identity");
    }
  }

  /** Keys are locations, not secrets, but never echo the key file's content anywhere. */
  @Override
  public String toString() {
    return "TlsConfig{trust=" + trust + ", certChain=" + certChain + ", privateKey=" + privateKey
        + ", peerIdentity=" + peerIdentity + "}";
  }
}
