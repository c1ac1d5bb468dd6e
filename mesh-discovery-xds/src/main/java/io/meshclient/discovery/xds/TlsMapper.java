package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshclient.core.config.TlsConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A cluster's {@code UpstreamTlsContext} as the mesh's {@link TlsConfig}: trust from
 * {@code validation_context.trusted_ca.filename}, a certificate provider's CA file or {@code system_root_certs}
 * (the JVM's default trust store, with an exact SAN matcher required), the client
 * identity from {@code tls_certificates[0]}'s files or a certificate provider's, and the first exact SAN
 * matcher pinned as the peer identity. Certificate provider instances are the bootstrap's
 * {@code certificate_providers} (gRFC A29), named by the fields gRPC reads, newest first.
 */
final class TlsMapper {
  private static final String CTX = "transport_socket.typed_config.common_tls_context.";

  private TlsMapper() {}

  /**
   * A cluster's TLS settings and the xDS field (with the certificate provider instance and its bootstrap
   * file, where one is named) each setting came from, so a file that does not load is named as xDS names it.
   */
  record Mapped(TlsConfig config, TlsConfig.Keys keys) {}

  /**
   * The mesh TLS settings for {@code ctx}, or null (with a note) when its trust comes from neither a file
   * nor a certificate provider (SDS): those calls fail rather than go out unverified.
   *
   * @throws XdsInvalidException if it names a certificate provider instance the bootstrap lacks
   */
  static Mapped map(String where, UpstreamTlsContext ctx, Map<String, Bootstrap.CertificateProvider> providers,
      List<String> notes) {
    CommonTlsContext common = ctx.getCommonTlsContext();
    String validationField = CTX + (common.hasCombinedValidationContext()
        ? "combined_validation_context.default_validation_context." : "validation_context.");
    CertificateValidationContext validation = common.hasCombinedValidationContext()
        ? common.getCombinedValidationContext().getDefaultValidationContext() : common.getValidationContext();
    String trust = null;
    String trustKey = null;
    if (validation.getTrustedCa().hasFilename()) {
      trust = "file:" + validation.getTrustedCa().getFilename();
      trustKey = where + ": " + validationField + "trusted_ca.filename";
    } else {
      Named root = rootInstance(common);
      if (root != null) {
        trust = "file:" + provider(where, root, providers).caCertificateFile();
        trustKey = root.fileKey(where, "ca_certificate_file");
      } else if (validation.hasSystemRootCerts() && !sdsTrust(common)) {
        trust = TlsConfig.SYSTEM_TRUST; // the JVM's default trust store, as Envoy's system_root_certs is the OS's
        trustKey = where + ": " + validationField + "system_root_certs";
      }
    }
    if (trust == null) {
      notes.add(where + ": transport_socket: TLS whose trust is neither validation_context.trusted_ca.filename, "
          + "system_root_certs nor a certificate provider instance (SDS) is not implemented: its calls fail rather "
          + "than go out unverified");
      return null;
    }
    String cert = null;
    String key = null;
    String certKey = where + ": " + CTX + "tls_certificates[0].certificate_chain.filename";
    String keyKey = where + ": " + CTX + "tls_certificates[0].private_key.filename";
    if (common.getTlsCertificatesCount() > 0) {
      var c = common.getTlsCertificates(0);
      cert = c.getCertificateChain().hasFilename() ? "file:" + c.getCertificateChain().getFilename() : null;
      key = c.getPrivateKey().hasFilename() ? "file:" + c.getPrivateKey().getFilename() : null;
    } else {
      Named identity = identityInstance(common);
      if (identity != null) {
        Bootstrap.CertificateProvider p = provider(where, identity, providers);
        cert = "file:" + p.certificateFile();
        key = "file:" + p.privateKeyFile();
        certKey = identity.fileKey(where, "certificate_file");
        keyKey = identity.fileKey(where, "private_key_file");
      }
    }
    String peer = peerIdentity(where, validation, notes);
    if (peer == null && sanMatchers(validation) > 0) {
      return null;
    }
    if (peer == null && TlsConfig.SYSTEM_TRUST.equals(trust)) {
      notes.add(where + ": " + validationField + "system_root_certs without an exact SAN matcher is not implemented: "
          + "the system's CAs vouch for any name, so its calls fail rather than go out to any certificate they signed");
      return null;
    }
    String peerKey = where + ": " + validationField + (validation.getMatchTypedSubjectAltNamesCount() > 0
        ? "match_typed_subject_alt_names" : "match_subject_alt_names");
    return new Mapped(new TlsConfig(trust, cert, key, peer), new TlsConfig.Keys(trustKey, certKey, keyKey, peerKey));
  }

  /**
   * Whether a combined validation context takes its trust from SDS (or a certificate provider other than an
   * instance): Envoy merges that into the default context, so the default's system_root_certs is not the whole
   * trust, and taking it alone would trust every public CA instead of the CA SDS sends.
   */
  @SuppressWarnings("deprecation") // validation_context_certificate_provider: still in the proto, never mapped
  private static boolean sdsTrust(CommonTlsContext common) {
    var combined = common.getCombinedValidationContext();
    return common.hasCombinedValidationContext() && (combined.hasValidationContextSdsSecretConfig()
        || combined.hasValidationContextCertificateProvider());
  }

  /** A certificate provider instance name and the field that named it. */
  private record Named(String field, String instanceName) {
    /** How a problem names the instance's bootstrap file {@code file} ({@code certificate_file}...). */
    String fileKey(String where, String file) {
      return where + ": " + field + ": " + instanceName + ": " + file;
    }
  }

  /** The client identity's instance: gRPC reads the newer field first. */
  @SuppressWarnings("deprecation") // gRPC and Istio's gRPC generator still use the older field
  private static Named identityInstance(CommonTlsContext common) {
    if (common.hasTlsCertificateProviderInstance()) {
      return new Named(CTX + "tls_certificate_provider_instance.instance_name",
          common.getTlsCertificateProviderInstance().getInstanceName());
    }
    if (common.hasTlsCertificateCertificateProviderInstance()) {
      return new Named(CTX + "tls_certificate_certificate_provider_instance.instance_name",
          common.getTlsCertificateCertificateProviderInstance().getInstanceName());
    }
    return null;
  }

  /** The trust bundle's instance, wherever gRPC looks for it. */
  @SuppressWarnings("deprecation") // Istio's gRPC generator sends combined_validation_context's older field
  private static Named rootInstance(CommonTlsContext common) {
    if (common.hasCombinedValidationContext()) {
      var combined = common.getCombinedValidationContext();
      if (combined.getDefaultValidationContext().hasCaCertificateProviderInstance()) {
        return new Named(CTX + "combined_validation_context.default_validation_context.ca_certificate_provider_instance"
            + ".instance_name", combined.getDefaultValidationContext().getCaCertificateProviderInstance().getInstanceName());
      }
      if (combined.hasValidationContextCertificateProviderInstance()) {
        return new Named(CTX + "combined_validation_context.validation_context_certificate_provider_instance"
            + ".instance_name", combined.getValidationContextCertificateProviderInstance().getInstanceName());
      }
      return null;
    }
    if (common.getValidationContext().hasCaCertificateProviderInstance()) {
      return new Named(CTX + "validation_context.ca_certificate_provider_instance.instance_name",
          common.getValidationContext().getCaCertificateProviderInstance().getInstanceName());
    }
    if (common.hasValidationContextCertificateProviderInstance()) {
      return new Named(CTX + "validation_context_certificate_provider_instance.instance_name",
          common.getValidationContextCertificateProviderInstance().getInstanceName());
    }
    return null;
  }

  private static Bootstrap.CertificateProvider provider(String where, Named named,
      Map<String, Bootstrap.CertificateProvider> providers) {
    Bootstrap.CertificateProvider p = providers.get(named.instanceName());
    if (p == null) {
      throw new XdsInvalidException(where, named.field(), named.instanceName(), providers.isEmpty()
          ? "a certificate provider instance of the bootstrap's certificate_providers, which has none"
          : "a certificate provider instance of the bootstrap's certificate_providers (one of "
              + new TreeSet<>(providers.keySet()) + ")");
    }
    return p;
  }

  @SuppressWarnings("deprecation") // match_subject_alt_names is what Istio's gRPC generator sends
  private static int sanMatchers(CertificateValidationContext validation) {
    return validation.getMatchTypedSubjectAltNamesCount() + validation.getMatchSubjectAltNamesCount();
  }

  /**
   * The first exact SAN matcher as the mesh's peer identity: typed (DNS as {@code dns:}) or untyped
   * ({@code match_subject_alt_names}, a SPIFFE ID or a DNS name by its form); null (with a note) if there
   * are matchers but none exact.
   */
  @SuppressWarnings("deprecation") // match_subject_alt_names is what Istio's gRPC generator sends
  private static String peerIdentity(String where, CertificateValidationContext validation, List<String> notes) {
    String identity = null;
    for (var san : validation.getMatchTypedSubjectAltNamesList()) {
      if (san.getMatcher().hasExact()) {
        identity = san.getSanType().name().equals("DNS") ? "dns:" + san.getMatcher().getExact() : san.getMatcher().getExact();
        break;
      }
    }
    if (identity == null) {
      for (StringMatcher san : validation.getMatchSubjectAltNamesList()) {
        if (san.hasExact()) {
          identity = san.getExact();
          break;
        }
      }
    }
    int matchers = sanMatchers(validation);
    if (identity == null && matchers > 0) {
      notes.add(where + ": SAN matchers other than exact are not implemented: its calls fail");
    } else if (matchers > 1) {
      notes.add(where + ": only the first exact SAN matcher is pinned");
    }
    return identity;
  }
}
