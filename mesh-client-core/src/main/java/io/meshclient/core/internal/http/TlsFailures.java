package io.meshclient.core.internal.http;

import io.meshclient.api.PeerIdentityMismatchException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.SubsetRuntime;
import io.meshclient.core.internal.tls.PeerIdentityException;
import io.meshclient.core.internal.tls.ServiceTls;
import java.io.IOException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLProtocolException;

/**
 * The TLS failure a call dies of, told in terms of the mesh: the instance, the service and what its certificate
 * was expected to be. The JDK's own message names neither ("PKIX path validation failed: ... validity check
 * failed"). Built only when a call fails, never on the way of one that succeeds.
 */
final class TlsFailures {
  /** What the JDK says when the peer answers a ClientHello with bytes that are not TLS. */
  private static final String NOT_TLS = "Unsupported or unrecognized SSL message";
  /** The alerts a server sends when it refuses the client's certificate (or the lack of one). */
  private static final String[] CLIENT_CERTIFICATE_ALERTS = {"bad_certificate", "unsupported_certificate",
      "certificate_revoked", "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied",
      "certificate_required"};

  private TlsFailures() {}

  /**
   * The TLS failure {@code e} is or hides, or null: {@code e} itself, or the alert a peer sent as it refused the
   * handshake, which OkHttp attaches as suppressed to the failure of the request's write. With TLS 1.3 the client
   * has finished its handshake before the server checks the client certificate, so a server refusing it closes
   * the connection while the request is being written ("Broken pipe"), and its alert is only read afterwards.
   */
  static SSLException of(IOException e) {
    if (e instanceof SSLException ssl) {
      return ssl;
    }
    if (e != null) {
      for (Throwable suppressed : e.getSuppressed()) {
        if (suppressed instanceof SSLHandshakeException alert) {
          return alert;
        }
      }
    }
    return null;
  }

  /**
   * {@code error}, a TLS failure ({@link #of}), told in terms of the mesh. A handshake refused for the peer's
   * identity becomes a {@link PeerIdentityMismatchException}; any other TLS failure an exception of the same kind
   * ({@link SSLHandshakeException}, {@link SSLPeerUnverifiedException}, {@link SSLProtocolException} or {@link
   * SSLException}) whose message names the instance, the service and the expected certificate, with the TLS failure
   * as its cause (and {@code error}, if it only hid it, as suppressed).
   */
  static IOException named(ServiceRuntime service, SubsetRuntime subset, ServiceInstance instance,
      IOException error) {
    SSLException e = of(error);
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PeerIdentityException identity) {
        return new PeerIdentityMismatchException(service.name(), instance.authority(), identity.expected(),
            identity.presented(), e);
      }
    }
    ServiceTls tls = subset.ownTls() != null ? subset.ownTls().tls() : service.tls();
    String message = "instance " + instance.authority() + " of service '" + service.name()
        + "' failed the TLS handshake: " + e.getMessage() + rootCause(e) + hint(e.getMessage(), tls)
        + " (expected: " + expected(service.name(), tls) + ")";
    SSLException named = e instanceof SSLHandshakeException ? new SSLHandshakeException(message)
        : e instanceof SSLPeerUnverifiedException ? new SSLPeerUnverifiedException(message)
        : e instanceof SSLProtocolException ? new SSLProtocolException(message)
        : new SSLException(message);
    named.initCause(e);
    if (error != e) {
      named.addSuppressed(error); // the write that failed first
    }
    return named;
  }

  /** The certificate the instance had to present. */
  private static String expected(String service, ServiceTls tls) {
    if (tls == null) {
      return "a certificate the platform trusts, for " + service;
    }
    String trust = ServiceTls.isSystem(tls.config()) ? "the JVM's default trust store" : tls.config().trust();
    return "a certificate chain valid now and trusted by " + trust + ", proving "
        + (tls.identity() != null ? tls.identity().expected() : "dns:" + service);
  }

  /** The innermost cause's message when the outer one leaves it out (the dates of an expired certificate). */
  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = root.getMessage();
    return root == e || text == null || e.getMessage() != null && e.getMessage().contains(text) ? ""
        : " (" + root.getClass().getSimpleName() + ": " + text + ")";
  }

  /** What the JDK's message means here, for the two failures whose message does not say. */
  private static String hint(String message, ServiceTls tls) {
    if (message == null) {
      return "";
    }
    if (message.startsWith(NOT_TLS)) {
      return "; the instance does not answer in TLS (a plaintext server?)";
    }
    if (message.startsWith("Received fatal alert: ")) {
      String alert = message.substring("Received fatal alert: ".length());
      for (String refusal : CLIENT_CERTIFICATE_ALERTS) {
        if (alert.equals(refusal)) {
          String subject = tls == null ? null : tls.clientSubject();
          return subject == null ? "; the instance refused the connection without a client certificate"
              : "; the instance refused the client certificate " + subject;
        }
      }
    }
    return "";
  }
}
