package io.meshclient.core.config;

import java.util.Objects;

/**
 * Mutual TLS to a service's instances. Locations are {@code file:path}, {@code classpath:path} or a plain
 * path. The private key and certificate chain are reloaded when both files change and parse, so a
 * rotated identity is used by new connections without a restart.
 *
 * @param trust PEM bundle of the CA certificates the instances' certificates must chain to
 * @param certChain PEM client certificate chain, leaf first (may also hold the private key), or null for
 *     server-authenticated TLS only
 * @param privateKey PEM private key of the client certificate (PKCS#8, PKCS#1 RSA or SEC1 EC), or null when {@code certChain}
 *     holds it
 * @param peerIdentity what the instances must prove: a SPIFFE ID ({@code spiffe://prod/ns/default/sa/reviews})
 *     or a DNS name ({@code dns:reviews.prod.svc} or just the name); null accepts any certificate the
 *     trust bundle accepts
 */
public record TlsConfig(String trust, String certChain, String privateKey, String peerIdentity) {
  public TlsConfig {
    Objects.requireNonNull(trust, "trust");
  }

  /** Keys are locations, not secrets, but never echo the key file's content anywhere. */
  @Override
  public String toString() {
    return "TlsConfig{trust=" + trust + ", certChain=" + certChain + ", privateKey=" + privateKey
        + ", peerIdentity=" + peerIdentity + "}";
  }
}
