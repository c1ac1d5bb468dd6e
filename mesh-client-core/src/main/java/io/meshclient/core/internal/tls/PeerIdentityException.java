package io.meshclient.core.internal.tls;

import java.security.cert.CertificateException;

/** The peer's certificate chains to the trust bundle but does not prove the expected identity. */
public final class PeerIdentityException extends CertificateException {
  private static final long serialVersionUID = 1L;

  private final String expected;
  private final String presented;

  PeerIdentityException(String expected, String presented, String reason) {
    super("peer identity check failed: expected " + expected + ", presented " + presented + " (" + reason + ")");
    this.expected = expected;
    this.presented = presented;
  }

  public String expected() {
    return expected;
  }

  public String presented() {
    return presented;
  }
}
