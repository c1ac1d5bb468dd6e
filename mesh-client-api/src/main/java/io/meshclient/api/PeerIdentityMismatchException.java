package io.meshclient.api;

/**
 * An instance's TLS certificate chained to the service's trust bundle but did not prove the identity the
 * service requires, so the handshake was refused before any request byte was written.
 */
public final class PeerIdentityMismatchException extends MeshException {
  private static final long serialVersionUID = 1L;

  private final String expected;
  private final String presented;

  public PeerIdentityMismatchException(String service, String instance, String expected, String presented,
      Throwable cause) {
    super(service, "instance " + instance + " of service '" + service + "' failed the peer identity check: expected "
        + expected + ", presented " + presented + "; nothing was sent", cause);
    this.expected = expected;
    this.presented = presented;
  }

  /** The identity the service requires. */
  public String expected() {
    return expected;
  }

  /** What the instance's certificate presented. */
  public String presented() {
    return presented;
  }
}
