package io.meshclient.core.internal.http;

import io.meshclient.api.PeerIdentityMismatchException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.internal.tls.PeerIdentityException;
import java.io.IOException;
import javax.net.ssl.SSLException;

/** The TLS failure a call dies of, told in terms of the mesh: the service, the instance and what to change. */
final class TlsFailures {
  /**
   * What the JDK's TLS engine says when the first bytes back are not a TLS record: the instance answered in
   * plain text (an http server listed as https, or a service given {@code tls} whose instances have none).
   */
  static final String NOT_TLS = "Unsupported or unrecognized SSL message";

  private TlsFailures() {}

  /**
   * A handshake refused for the peer's identity becomes a {@link PeerIdentityMismatchException}; one an
   * instance answered in plain text names the instance and the service, and says how to list a plain HTTP
   * instance (the JDK's message alone names neither); any other failure is returned as it is.
   */
  static IOException named(String service, ServiceInstance instance, SSLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PeerIdentityException identity) {
        return new PeerIdentityMismatchException(service, instance.authority(), identity.expected(),
            identity.presented(), e);
      }
    }
    if (NOT_TLS.equals(e.getMessage())) {
      return new SSLException("TLS handshake with instance " + instance.authority() + " of service " + service
          + " failed: it answered in plain text, not TLS (expected: a TLS server, as its https listing or "
          + "mesh.services." + service + ".tls says; list an instance that serves plain HTTP as http://"
          + instance.authority() + "): " + e.getMessage(), e);
    }
    return e;
  }
}
