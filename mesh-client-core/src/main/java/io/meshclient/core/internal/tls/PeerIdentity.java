package io.meshclient.core.internal.tls;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The identity a service's instances must present: a SPIFFE ID, checked by the X509-SVID rules, or a DNS
 * name. Immutable.
 */
public final class PeerIdentity {
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;
  private static final int KEY_CERT_SIGN = 5;
  private static final int CRL_SIGN = 6;

  private final String expected;
  private final boolean spiffe;

  private PeerIdentity(String expected, boolean spiffe) {
    this.expected = expected;
    this.spiffe = spiffe;
  }

  /**
   * Parses {@code spiffe://trust-domain/path}, {@code dns:name} or a bare DNS name.
   *
   * @throws IllegalArgumentException with what is wrong, if it is neither
   */
  public static PeerIdentity parse(String text) {
    if (text.startsWith("spiffe:")) {
      String problem = spiffeProblem(text);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      return new PeerIdentity(text, true);
    }
    String name = text.startsWith("dns:") ? text.substring(4) : text;
    if (!name.matches("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
      throw new IllegalArgumentException("not a SPIFFE ID (spiffe://trust-domain/path) or a DNS name");
    }
    return new PeerIdentity(name.toLowerCase(Locale.ROOT), false);
  }

  /** What the peer must present, as configured. */
  public String expected() {
    return spiffe ? expected : "dns:" + expected;
  }

  /**
   * Checks the leaf certificate of a peer whose chain is already trusted.
   *
   * @throws PeerIdentityException naming the expected and the presented identity
   */
  public void check(X509Certificate leaf) throws PeerIdentityException {
    List<String> uris = sans(leaf, SAN_URI);
    List<String> dns = sans(leaf, SAN_DNS);
    if (spiffe) {
      String presented = uris.isEmpty() ? "no URI SAN" + (dns.isEmpty() ? "" : " (DNS SANs " + dns + ")")
          : uris.size() == 1 ? uris.get(0) : "several URI SANs " + uris;
      String problem = uris.size() != 1 ? "an X509-SVID has exactly one URI SAN" : spiffeProblem(uris.get(0));
      if (problem == null && leaf.getBasicConstraints() >= 0) {
        problem = "an X509-SVID leaf must not be a CA";
      }
      boolean[] usage = leaf.getKeyUsage();
      if (problem == null && usage != null && (usage[KEY_CERT_SIGN] || usage[CRL_SIGN])) {
        problem = "an X509-SVID leaf must not have keyCertSign or cRLSign";
      }
      if (problem == null && !uris.get(0).equals(expected)) {
        problem = "identity mismatch";
      }
      if (problem != null) {
        throw new PeerIdentityException(expected, presented, problem);
      }
      return;
    }
    for (String name : dns) {
      if (matchesDns(name.toLowerCase(Locale.ROOT))) {
        return;
      }
    }
    throw new PeerIdentityException("dns:" + expected, dns.isEmpty() ? "no DNS SAN" : "DNS SANs " + dns,
        "identity mismatch");
  }

  private boolean matchesDns(String name) {
    if (name.equals(expected)) {
      return true;
    }
    return name.startsWith("*.") && expected.indexOf('.') > 0
        && expected.substring(expected.indexOf('.')).equals(name.substring(1));
  }

  /** Null if {@code text} is a valid SPIFFE ID, else why not. */
  static String spiffeProblem(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return "not a URI";
    }
    if (!"spiffe".equals(uri.getScheme())) {
      return "the scheme of a SPIFFE ID is spiffe";
    }
    if (uri.getHost() == null || uri.getPort() != -1 || uri.getUserInfo() != null) {
      return "a SPIFFE ID has a trust domain and nothing else before its path";
    }
    if (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/")) {
      return "a workload's SPIFFE ID has a non-root path";
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return "a SPIFFE ID has no query or fragment";
    }
    return null;
  }

  private static List<String> sans(X509Certificate cert, int type) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> all = cert.getSubjectAlternativeNames();
      if (all != null) {
        for (List<?> entry : all) {
          if (entry.size() >= 2 && entry.get(0) instanceof Integer t && t == type) {
            out.add(String.valueOf(entry.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      out.add("<unparseable SANs>");
    }
    return out;
  }

  @Override
  public String toString() {
    return expected();
  }
}
