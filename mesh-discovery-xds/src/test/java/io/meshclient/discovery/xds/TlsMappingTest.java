package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.istio;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.TlsConfig;
import io.meshclient.api.ServiceInstance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How a cluster's {@code UpstreamTlsContext} becomes the service's TLS: certificate providers, trusted CA files,
 * the system's roots with the SAN pinned, and trust the mesh cannot follow (SDS), whose calls fail.
 */
class TlsMappingTest {
  static final String V1 = ServiceMappingTest.V1;

  /** The bootstrap's file_watcher instance as Istio's agent writes it. */
  static final Map<String, Bootstrap.CertificateProvider> ISTIO_PROVIDERS = Map.of("default",
      new Bootstrap.CertificateProvider(Path.of("/var/lib/istio/data/cert-chain.pem"),
          Path.of("/var/lib/istio/data/key.pem"), Path.of("/var/lib/istio/data/root-cert.pem"), Duration.ofSeconds(900)));

  /** An UpstreamTlsContext as Istio's gRPC generator writes it: the older provider fields, untyped SANs. */
  @SuppressWarnings("deprecation")
  static UpstreamTlsContext istioMtls(String instance, String san) {
    CommonTlsContext.CertificateProviderInstance provider = CommonTlsContext.CertificateProviderInstance.newBuilder()
        .setInstanceName(instance).setCertificateName("default").build();
    return UpstreamTlsContext.newBuilder().setSni("outbound_.9080_.v1_.reviews.default.svc.cluster.local")
        .setCommonTlsContext(CommonTlsContext.newBuilder().setTlsCertificateCertificateProviderInstance(provider)
            .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(CertificateValidationContext.newBuilder()
                    .addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(san)))
                .setValidationContextCertificateProviderInstance(provider.toBuilder().setCertificateName("ROOTCA"))))
        .build();
  }

  static Cluster withTls(Cluster cluster, UpstreamTlsContext tls) {
    return cluster.toBuilder().setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
        .setTypedConfig(Any.pack(tls))).build();
  }

  @Test
  void aClusterWhoseTlsNamesIstiosCertificateProviderUsesItsFilesWithTheSanPinned() {
    XdsResources r = ServiceMappingTest.resources(Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1));
    r.clusters.put(V1, ClusterResource.decode(Any.pack(withTls(Resources.cluster(V1),
        istioMtls("default", "spiffe://cluster.local/ns/default/sa/reviews"))), ISTIO_PROVIDERS));

    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, r);

    assertThat(m.config().tls()).isEqualTo(new TlsConfig("file:/var/lib/istio/data/root-cert.pem",
        "file:/var/lib/istio/data/cert-chain.pem", "file:/var/lib/istio/data/key.pem",
        "spiffe://cluster.local/ns/default/sa/reviews"));
    assertThat(m.instances()).extracting(ServiceInstance::secure).containsOnly(true).isNotEmpty();
    assertThat(m.notes()).isEmpty();
  }

  @Test
  void theNewerProviderFieldsAndTypedSansMapTheSameWay() {
    CertificateProviderPluginInstance instance = CertificateProviderPluginInstance.newBuilder()
        .setInstanceName("default").build();
    UpstreamTlsContext tls = UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .setTlsCertificateProviderInstance(instance)
        .setValidationContext(CertificateValidationContext.newBuilder().setCaCertificateProviderInstance(instance)
            .addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.DNS)
                .setMatcher(StringMatcher.newBuilder().setExact("reviews.default.svc"))))).build();

    ClusterResource c = ClusterResource.decode(Any.pack(withTls(Resources.cluster(V1), tls)), ISTIO_PROVIDERS);

    assertThat(c.tls()).isEqualTo(new TlsConfig("file:/var/lib/istio/data/root-cert.pem",
        "file:/var/lib/istio/data/cert-chain.pem", "file:/var/lib/istio/data/key.pem", "dns:reviews.default.svc"));
  }

  @Test
  void aCertificateProviderInstanceTheBootstrapLacksIsInvalidNamingTheField() {
    Any cluster = Any.pack(withTls(Resources.cluster(V1), istioMtls("spire", "spiffe://cluster.local/ns/default/sa/reviews")));

    assertThatThrownBy(() -> ClusterResource.decode(cluster, ISTIO_PROVIDERS)).isInstanceOf(XdsInvalidException.class)
        .hasMessage("cluster " + V1 + ": transport_socket.typed_config.common_tls_context.combined_validation_context."
            + "validation_context_certificate_provider_instance.instance_name: spire (expected: a certificate provider "
            + "instance of the bootstrap's certificate_providers (one of [default]))");
    assertThatThrownBy(() -> ClusterResource.decode(cluster, Map.of())).hasMessageEndingWith(
        "(expected: a certificate provider instance of the bootstrap's certificate_providers, which has none)");
  }

  /**
   * {@code system_root_certs} (Envoy's OS trust store, as Istio sends a DestinationRule with SIMPLE and no
   * caCertificates) is the JVM's trust store, with the exact SAN pinned; without a SAN matcher the cluster's calls
   * fail, since those CAs vouch for any name. Before, both were reported as SDS trust and had no instances.
   */
  @Test
  void systemRootCertsAreTheJvmsTrustStoreWithTheSanPinnedAndRequired() {
    CertificateValidationContext.Builder system = CertificateValidationContext.newBuilder()
        .setSystemRootCerts(CertificateValidationContext.SystemRootCerts.getDefaultInstance());
    UpstreamTlsContext pinned = UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .setValidationContext(system.clone().addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
            .setSanType(SubjectAltNameMatcher.SanType.DNS).setMatcher(StringMatcher.newBuilder()
                .setExact("api.example.com"))))).build();
    UpstreamTlsContext unpinned = UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .setValidationContext(system)).build();

    ClusterResource c = ClusterResource.decode(Any.pack(withTls(Resources.cluster(V1), pinned)), ISTIO_PROVIDERS);
    assertThat(c.tls()).isEqualTo(new TlsConfig(TlsConfig.SYSTEM_TRUST, null, null, "dns:api.example.com"));

    XdsResources r = ServiceMappingTest.resources(Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1));
    r.clusters.put(V1, ClusterResource.decode(Any.pack(withTls(Resources.cluster(V1), unpinned)), ISTIO_PROVIDERS));
    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, r);
    assertThat(m.instances()).as("its calls fail rather than go out to any certificate a public CA signed").isEmpty();
    assertThat(m.notes()).containsExactly("cluster " + V1 + ": transport_socket.typed_config.common_tls_context."
        + "validation_context.system_root_certs without an exact SAN matcher is not implemented: the system's CAs "
        + "vouch for any name, so its calls fail rather than go out to any certificate they signed");
  }

  /**
   * A combined validation context whose trust comes from SDS (validation_context_sds_secret_config) keeps that
   * trust whatever its default context says: system_root_certs there does not replace the SDS CA by every public
   * CA. Its calls fail, as SDS trust's do; before, the cluster trusted the JVM's trust store.
   */
  @Test
  void systemRootCertsNextToSdsTrustAreNotTakenForTheClustersTrust() {
    CertificateValidationContext system = CertificateValidationContext.newBuilder()
        .setSystemRootCerts(CertificateValidationContext.SystemRootCerts.getDefaultInstance())
        .addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.DNS)
            .setMatcher(StringMatcher.newBuilder().setExact("api.example.com"))).build();
    UpstreamTlsContext combined = UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(system)
            .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName("ROOTCA")))).build();
    XdsResources r = ServiceMappingTest.resources(Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1));
    r.clusters.put(V1, ClusterResource.decode(Any.pack(withTls(Resources.cluster(V1), combined)), ISTIO_PROVIDERS));

    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, r);

    assertThat(r.clusters.get(V1).tls()).isNull();
    assertThat(m.instances()).as("its calls fail rather than go out to any certificate a public CA signed").isEmpty();
    assertThat(m.notes()).containsExactly("cluster " + V1 + ": transport_socket: TLS whose trust is neither "
        + "validation_context.trusted_ca.filename, system_root_certs nor a certificate provider instance (SDS) is not "
        + "implemented: its calls fail rather than go out unverified");
  }

  @Test
  void aClusterWhoseTlsTrustComesFromSdsHasNoInstancesAndIsReported() {
    UpstreamTlsContext sds = UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName("ROOTCA"))).build();
    XdsResources r = ServiceMappingTest.resources(Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1));
    r.clusters.put(V1, ClusterResource.decode(Any.pack(withTls(Resources.cluster(V1), sds)), ISTIO_PROVIDERS));

    ServiceMapping m = ServiceMapping.map("reviews", "reviews:9080", "xds", null, r);

    assertThat(m.instances()).as("its calls fail rather than go out unverified").isEmpty();
    assertThat(m.config().routes()).extracting(RouteConfig::to).containsExactly("v1", "xds-unroutable");
    assertThat(m.notes()).containsExactly("cluster " + V1 + ": transport_socket: TLS whose trust is neither "
        + "validation_context.trusted_ca.filename, system_root_certs nor a certificate provider instance (SDS) is not "
        + "implemented: its calls fail rather than go out unverified");
  }
}
