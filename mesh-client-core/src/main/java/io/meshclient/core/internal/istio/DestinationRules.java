package io.meshclient.core.internal.istio;

import io.meshclient.core.config.BalancerConfig;
import io.meshclient.core.config.LocalityConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.SlowStartConfig;
import io.meshclient.core.config.SubsetPolicyConfig;
import io.meshclient.core.config.TlsConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a DestinationRule onto the settings of its host's service: subsets by labels, and the traffic
 * policy's balancer, connection limits, outlier detection, TLS and locality, the service's and each subset's.
 * Every field it sets overrides what mesh.yaml says for that service (or subset).
 */
final class DestinationRules {
  private DestinationRules() {}

  /** Where a subset is defined: its rule, and its block's path there ({@code spec.subsets[1]}). */
  record Origin(IstioResource resource, String path) {}

  /**
   * What one DestinationRule sets, or several merged ({@link DestinationRuleSelection}): its subsets, what each
   * subset's {@code trafficPolicy} maps to, and the service's {@code trafficPolicy}.
   *
   * @param resource the rule, the first one of several merged
   * @param serviceNamespace the namespace of the Kubernetes service the host names, null for an external host
   * @param subsetTraffic the {@code trafficPolicy} of each subset that has one, by subset name
   * @param traffic the top-level {@code trafficPolicy}, {@link Traffic#NONE} when no rule has one
   * @param trafficFrom the rule whose top-level {@code trafficPolicy} {@code traffic} is, or null when none has one
   * @param subsetOrigins where each subset is defined, by subset name
   */
  record Policy(IstioResource resource, String service, String serviceNamespace,
      Map<String, Map<String, String>> subsets, Map<String, Traffic> subsetTraffic, Traffic traffic,
      IstioResource trafficFrom, Map<String, Origin> subsetOrigins) {

    /** Applies the fields set to {@code service}, overriding its values; {@code base} is mesh.yaml's, or null. */
    ServiceConfig.Builder applyTo(ServiceConfig.Builder service, ServiceConfig base) {
      subsets.forEach(service::subset);
      subsetTraffic.forEach((subset, t) -> {
        SubsetPolicyConfig mapped = t.asSubsetPolicy(base, callerLocality(base, subset));
        if (mapped != null) {
          service.subsetPolicy(subset, over(mapped, base == null ? null : base.subsetPolicies().get(subset)));
        }
      });
      Traffic t = traffic;
      if (t.loadBalancer() != null) {
        service.loadBalancer(t.loadBalancer());
      }
      if (t.maxConcurrentRequests() != null) {
        service.maxConcurrentRequests(t.maxConcurrentRequests());
      }
      if (t.connectTimeout() != null) {
        service.connectTimeout(t.connectTimeout());
      }
      if (t.outliers() != null) {
        service.outlierDetection(keepIntervalEjections(t.outliers(), base == null ? null : base.outlierDetection()));
      }
      if (t.tls() != null || t.tlsDisabled()) {
        service.tls(t.tls());
      }
      if (t.slowStart() != null) {
        service.slowStart(t.slowStart());
      }
      if (t.locality() != null) {
        service.locality(t.locality().over(base == null ? null : base.locality()));
      }
      return service;
    }
  }

  /**
   * The fields {@code mapped} (a subset's {@code trafficPolicy}) sets, over mesh.yaml's {@code subset-policies} of
   * that subset ({@code own}, or null): a field the rule sets overrides mesh.yaml's, one it leaves out keeps
   * mesh.yaml's, as for the service's fields. Replacing the whole block would drop, say, mesh.yaml's {@code tls}
   * for the subset when the rule sets only its {@code outlierDetection}, and send the subset's calls without it.
   */
  static SubsetPolicyConfig over(SubsetPolicyConfig mapped, SubsetPolicyConfig own) {
    if (own == null) {
      return mapped;
    }
    return SubsetPolicyConfig.builder()
        .loadBalancer(mapped.loadBalancer() != null ? mapped.loadBalancer() : own.loadBalancer())
        .outlierDetection(mapped.outlierDetection() == null ? own.outlierDetection()
            : own.outlierDetection() == null ? mapped.outlierDetection()
            : keepIntervalEjections(mapped.outlierDetection(), own.outlierDetection()))
        .maxConcurrentRequests(mapped.maxConcurrentRequests() != 0 ? mapped.maxConcurrentRequests()
            : own.maxConcurrentRequests())
        .connectTimeout(mapped.connectTimeout() != null ? mapped.connectTimeout() : own.connectTimeout())
        .slowStart(mapped.slowStart() != null ? mapped.slowStart() : own.slowStart())
        .tls(mapped.tls() != null ? mapped.tls() : own.tls())
        .locality(mapped.locality() != null ? mapped.locality() : own.locality())
        .build();
  }

  /**
   * What one {@code trafficPolicy} block maps to, the service's or a subset's; null fields are not set.
   *
   * @param tlsDisabled whether {@code tls.mode: DISABLE} removes any TLS mesh.yaml configured
   * @param istioMutual whether {@code tls.mode: ISTIO_MUTUAL} asks for the TLS mesh.yaml configures
   */
  record Traffic(BalancerConfig loadBalancer, Integer maxConcurrentRequests, Duration connectTimeout,
      OutlierConfig outliers, TlsConfig tls, boolean tlsDisabled, boolean istioMutual, String tlsPath,
      SlowStartConfig slowStart, IstioLocality locality) {
    static final Traffic NONE = new Traffic(null, null, null, null, null, false, false, null, null, null);

    /**
     * The subset policy these fields make, or null when they set none. A subset's block replaces the
     * service's block of that name in Istio; here a key the subset's block leaves out is the service's. The
     * certificates of {@code ISTIO_MUTUAL} come from mesh.yaml's service ({@code base}, or null), the caller's
     * zone and region of a {@code localityLbSetting} from {@code caller} (see {@link #callerLocality}).
     */
    SubsetPolicyConfig asSubsetPolicy(ServiceConfig base, LocalityConfig caller) {
      TlsConfig ownTls = tlsDisabled ? SubsetPolicyConfig.TLS_OFF
          : istioMutual && base != null ? base.tls() : tls;
      LocalityConfig ownLocality = locality == null ? null
          : locality.enabled() ? locality.over(caller) : SubsetPolicyConfig.LOCALITY_OFF;
      if (loadBalancer == null && maxConcurrentRequests == null && connectTimeout == null && outliers == null
          && slowStart == null && ownTls == null && ownLocality == null) {
        return null;
      }
      return SubsetPolicyConfig.builder().loadBalancer(loadBalancer)
          .outlierDetection(outliers == null ? null : keepIntervalEjections(outliers, base == null ? null
              : base.outlierDetection()))
          .maxConcurrentRequests(maxConcurrentRequests == null ? 0 : maxConcurrentRequests)
          .connectTimeout(connectTimeout).slowStart(slowStart).tls(ownTls).locality(ownLocality).build();
    }
  }

  /**
   * {@code mapped}, an {@code outlierDetection} block, with mesh.yaml's {@code slow-ejection}, {@code
   * interval}, {@code failure-percentage} and {@code success-rate} ({@code own}'s): Istio has no such
   * fields, so a DestinationRule does not turn them off.
   */
  static OutlierConfig keepIntervalEjections(OutlierConfig mapped, OutlierConfig own) {
    return own == null || mapped.equals(ServiceConfig.OUTLIER_DETECTION_OFF) ? mapped
        : mapped.withIntervalEjections(own);
  }

  /**
   * The mesh.yaml locality that says where the caller is, for a subset's {@code localityLbSetting}: the
   * subset's own in mesh.yaml {@code subset-policies}, else the service's; null if neither has one.
   */
  static LocalityConfig callerLocality(ServiceConfig base, String subset) {
    if (base == null) {
      return null;
    }
    SubsetPolicyConfig own = base.subsetPolicies().get(subset);
    return own != null && own.locality() != null && !own.locality().equals(SubsetPolicyConfig.LOCALITY_OFF)
        ? own.locality() : base.locality();
  }

  static Policy map(IstioResource resource, SpecNode spec, IstioHosts hosts) {
    spec.fields("host", "trafficPolicy", "subsets", "exportTo", "workloadSelector");
    spec.unsupported("workloadSelector", "rules for selected workloads: the rule applies to every caller here");
    String host = spec.string("host");
    if (host == null) {
      spec.loading.problem(resource, spec.key("host"), "missing", "the host the rule applies to, such as reviews");
      return null;
    }
    if (IstioHosts.isWildcard(host)) {
      spec.loading.problem(resource, spec.key("host"), host, "a host without wildcards");
      return null;
    }
    Map<String, Map<String, String>> subsets = new LinkedHashMap<>();
    Map<String, Traffic> subsetTraffic = new LinkedHashMap<>();
    Map<String, Origin> origins = new LinkedHashMap<>();
    String externalName = hosts.externalName(host, resource.namespace());
    for (SpecNode subset : spec.list("subsets")) {
      subset.fields("name", "labels", "trafficPolicy");
      String name = subset.string("name");
      if (name == null) {
        spec.loading.problem(resource, subset.key("name"), "missing", "a subset name such as v1");
        continue;
      }
      Map<String, String> labels = subset.stringMap("labels");
      IstioLabels.check(subset, labels);
      IstioLabels.subsetName(subset, name); // kept, reported: a route naming it is not refused a second time
      if (subsets.put(name, labels) != null) {
        spec.loading.problem(resource, subset.key("name"), name, "each subset name once");
      }
      origins.putIfAbsent(name, new Origin(resource, subset.path));
      SpecNode own = subset.child("trafficPolicy");
      if (own != null) {
        subsetTraffic.put(name, trafficPolicy(own, externalName));
      }
    }
    SpecNode policy = spec.child("trafficPolicy");
    Traffic traffic = policy == null ? Traffic.NONE : trafficPolicy(policy, externalName);
    String service = hosts.service(spec, spec.key("host"), host);
    return service == null ? null : new Policy(resource, service, externalName != null ? null
        : hosts.namespaceOf(host, resource.namespace()), subsets, subsetTraffic, traffic,
        policy == null ? null : resource, origins);
  }

  /**
   * A {@code trafficPolicy} block, the service's or a subset's, mapped the same way.
   *
   * @param externalName the rule's host when it is an external DNS name (api.example.com), else null: the name
   *     the instances' certificates must carry when {@code tls} trusts the system's CAs
   */
  private static Traffic trafficPolicy(SpecNode policy, String externalName) {
    policy.fields("loadBalancer", "connectionPool", "outlierDetection", "tls", "portLevelSettings", "tunnel",
        "proxyProtocol");
    policy.unsupported("portLevelSettings", "settings per port: a service has one port here");
    refusePortTls(policy);
    policy.unsupported("tunnel", "tunneling through a proxy");
    policy.unsupported("proxyProtocol", "the PROXY protocol");
    BalancerConfig balancer = IstioLoadBalancers.loadBalancer(policy.child("loadBalancer"));
    SlowStartConfig slowStart = null;
    IstioLocality locality = null;
    SpecNode lb = policy.child("loadBalancer");
    if (lb != null) {
      locality = IstioLocality.of(lb.child("localityLbSetting"));
      Duration warmup = lb.duration("warmupDurationSecs", Duration.ofMillis(1));
      // As Istio: warm-up applies to ROUND_ROBIN and LEAST_REQUEST only, and is ignored next to the others.
      if (warmup != null && (balancer == null || balancer.name().equals("round-robin")
          || balancer.name().equals("least-request"))) {
        slowStart = SlowStartConfig.of(warmup.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : warmup);
      }
    }
    Integer maxConcurrent = null;
    Duration connectTimeout = null;
    SpecNode pool = policy.child("connectionPool");
    if (pool != null) {
      pool.fields("tcp", "http");
      SpecNode tcp = pool.child("tcp");
      if (tcp != null) {
        tcp.fields("maxConnections", "connectTimeout", "tcpKeepalive", "maxConnectionDuration", "idleTimeout");
        tcp.unsupported("maxConnections", "OkHttp has no cap on connections per host; cap requests in flight with "
            + "http.http2MaxRequests (mesh max-concurrent-requests)");
        tcp.unsupported("tcpKeepalive", "TCP keep-alive probes");
        tcp.unsupported("maxConnectionDuration", "a connection lifetime cap");
        tcp.unsupported("idleTimeout", "idle TCP timeout per service; the pool's keep-alive is mesh-wide "
            + "(mesh.defaults.connection-pool.keep-alive)");
        connectTimeout = tcp.duration("connectTimeout", Duration.ofMillis(1));
      }
      SpecNode http = pool.child("http");
      if (http != null) {
        http.fields("http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection", "maxRetries",
            "idleTimeout", "h2UpgradePolicy", "useClientProtocol", "maxConcurrentStreams");
        http.unsupported("http1MaxPendingRequests", "OkHttp has no pending-request queue per service: requests over "
            + "max-concurrent-requests are refused at once, never queued");
        http.unsupported("maxRequestsPerConnection", "OkHttp has no per-connection request cap");
        http.unsupported("maxRetries", "a cap on concurrent retries; the mesh caps retries with its retry budget");
        http.unsupported("idleTimeout", "idle timeout per service; the pool's keep-alive is mesh-wide "
            + "(mesh.defaults.connection-pool.keep-alive)");
        http.unsupported("h2UpgradePolicy", "HTTP/2 upgrade policy: OkHttp negotiates HTTP/2 by ALPN over TLS");
        http.unsupported("useClientProtocol", "keeping the caller's protocol");
        http.unsupported("maxConcurrentStreams", "a cap on streams per HTTP/2 connection");
        maxConcurrent = http.integer("http2MaxRequests", 0, 1_000_000);
        if (maxConcurrent != null && maxConcurrent == 0) {
          maxConcurrent = null; // proto3's unset: pilot sets Envoy's max_requests only above 0
        }
      }
    }
    OutlierConfig outliers = IstioOutliers.outliers(policy.child("outlierDetection"));
    TlsConfig tls = null;
    boolean disabled = false;
    boolean istioMutual = false;
    SpecNode t = policy.child("tls");
    if (t != null) {
      t.fields("mode", "clientCertificate", "privateKey", "caCertificates", "credentialName", "subjectAltNames",
          "sni", "insecureSkipVerify", "caCrl");
      t.unsupported("credentialName", "certificates from a Kubernetes secret; give clientCertificate, privateKey "
          + "and caCertificates as files");
      t.unsupported("sni", "a server name other than the instance's");
      t.unsupported("insecureSkipVerify", "the mesh always verifies the instances' certificates");
      t.unsupported("caCrl", "certificate revocation lists");
      String mode = t.string("mode");
      List<String> sans = t.strings("subjectAltNames");
      if (sans.size() > 1) {
        t.loading.unsupported(t.resource, t.key("subjectAltNames") + "[1]", "several subject alternative names: "
            + "the mesh pins the first");
      }
      String identity = sans.isEmpty() ? null : sans.get(0);
      switch (mode == null ? "DISABLE" : mode) {
        case "DISABLE" -> disabled = true;
        case "SIMPLE", "MUTUAL" -> {
          String ca = t.string("caCertificates");
          String cert = t.string("clientCertificate");
          String key = t.string("privateKey");
          // Without caCertificates Istio checks the certificate against the system's CAs, and without
          // subjectAltNames against the request's host name (VERIFY_CERTIFICATE_AT_CLIENT, automatic SNI and SAN).
          String peer = identity != null || ca != null ? identity : externalName == null ? null : "dns:" + externalName;
          if (ca == null && peer == null) {
            t.loading.problem(t.resource, t.key("caCertificates"), "missing", "the CA certificates (a PEM file) the "
                + "instances' certificates must chain to, or subjectAltNames, with mode " + mode + ": the system's CAs "
                + "vouch for any name, and the mesh takes the host's name as the certificate's only for an external "
                + "host such as api.example.com");
          }
          if (mode.equals("MUTUAL") && (cert == null || key == null)) {
            t.loading.problem(t.resource, t.key(cert == null ? "clientCertificate" : "privateKey"), "missing",
                "the client certificate and private key (PEM files), with mode MUTUAL");
          }
          if (ca != null || peer != null) {
            // caCertificates is always a file: one named system is file:system, never the JVM's trust store
            String trust = ca == null ? TlsConfig.SYSTEM_TRUST : ca.equals(TlsConfig.SYSTEM_TRUST) ? "file:" + ca : ca;
            tls = new TlsConfig(trust, mode.equals("MUTUAL") ? cert : null, mode.equals("MUTUAL") ? key : null, peer);
          }
        }
        case "ISTIO_MUTUAL" -> istioMutual = true;
        default -> t.loading.problem(t.resource, t.key("mode"), mode, "one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL");
      }
    }
    return new Traffic(balancer, maxConcurrent, connectTimeout, outliers, tls, disabled, istioMutual,
        t == null ? null : t.key("mode"), slowStart, locality);
  }

  /**
   * Refuses a {@code portLevelSettings[].tls} that makes Istio encrypt (any mode but DISABLE). The mesh applies no
   * per-port settings; reporting this one as unsupported and loading the rule would send plain HTTP where Istio
   * originates TLS (Istio's own egress-rule-google-apis.yaml sample), so it fails closed, as ISTIO_MUTUAL does.
   */
  private static void refusePortTls(SpecNode policy) {
    for (SpecNode port : policy.list("portLevelSettings")) {
      if (port.raw("tls") instanceof Map<?, ?> tls && tls.get("mode") != null && !"DISABLE".equals(tls.get("mode"))) {
        port.loading.problem(port.resource, port.key("tls.mode"), tls.get("mode"), "DISABLE, or the TLS settings at "
            + policy.key("tls") + ": the mesh applies no per-port settings (a service has one port here), and "
            + "leaving this out would send plain HTTP where Istio sends TLS");
      }
    }
  }
}
