package io.meshclient.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one subset of a service does differently from the service (Istio's {@code subsets[].trafficPolicy}):
 * calls routed to the subset use these settings instead of the service's. Each setting left null (or 0)
 * is the service's. A subset with its own outlier detection has its own detector, which records only the
 * calls routed to the subset and ejects only for them, as Envoy's separate cluster per subset does; a
 * subset with its own {@code max-concurrent-requests} counts its calls apart from the service's; a subset with
 * its own {@code tls} reaches its instances with its own TLS client, whose connections are pooled apart from
 * every other subset's and the service's; a subset with its own {@code locality} routes by zone its own way.
 *
 * @param loadBalancer the subset's balancer, or null for the service's (key {@code load-balancer})
 * @param outlierDetection the subset's outlier detection, or null for the service's detector; {@link
 *     ServiceConfig#OUTLIER_DETECTION_OFF} turns it off for the subset (key {@code outlier-detection})
 * @param maxConcurrentRequests the most calls routed to the subset in flight at once, counted apart from the
 *     service's; 0 for the service's cap and count (key {@code max-concurrent-requests})
 * @param connectTimeout the connect timeout of calls routed to the subset, or null for the service's (a route's
 *     own {@code connect-timeout} still wins; key {@code connect-timeout})
 * @param slowStart the slow start of the subset's balancer, or null for the service's; with its own {@code
 *     loadBalancer}, the subset has no slow start unless this sets one (key {@code slow-start})
 * @param tls the TLS of calls routed to the subset, or null for the service's; {@link #TLS_OFF} sends them in
 *     plain HTTP (to instances that are not secure) even when the service has TLS (key {@code tls})
 * @param locality the zone-aware routing of calls routed to the subset, in place of the service's, or null for
 *     the service's; {@link #LOCALITY_OFF} turns it off for the subset (key {@code locality})
 */
public record SubsetPolicyConfig(BalancerConfig loadBalancer, OutlierConfig outlierDetection,
    int maxConcurrentRequests, Duration connectTimeout, SlowStartConfig slowStart, TlsConfig tls,
    LocalityConfig locality) {

  /**
   * No TLS for the subset's calls, whatever the service's {@code tls} (mesh.yaml {@code tls: { enabled: false }}).
   * Only this object turns TLS off: a {@link TlsConfig} equal to it (a blank {@code trust}, say) is a TLS setting
   * like any other, and refused as such, so that a value left empty never sends a subset's calls in plain HTTP.
   */
  public static final TlsConfig TLS_OFF = new TlsConfig("", null, null, null);

  /**
   * No zone-aware routing for the subset's calls, whatever the service's {@code locality} (mesh.yaml {@code
   * locality: { enabled: false }}). A distribution over no zone, which no valid {@code locality} block makes.
   */
  public static final LocalityConfig LOCALITY_OFF =
      new LocalityConfig("", "", LocalityConfig.Mode.DISTRIBUTE, List.of(), Map.of());

  /** A builder with every setting the service's. */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects a {@link SubsetPolicyConfig}; {@link MeshConfig} validates the values. */
  public static final class Builder {
    private BalancerConfig loadBalancer;
    private OutlierConfig outlierDetection;
    private int maxConcurrentRequests;
    private Duration connectTimeout;
    private SlowStartConfig slowStart;
    private TlsConfig tls;
    private LocalityConfig locality;

    private Builder() {}

    public Builder loadBalancer(BalancerConfig loadBalancer) {
      this.loadBalancer = loadBalancer;
      return this;
    }

    public Builder outlierDetection(OutlierConfig outlierDetection) {
      this.outlierDetection = outlierDetection;
      return this;
    }

    /** 0: the service's cap, and calls counted with the service's. */
    public Builder maxConcurrentRequests(int maxConcurrentRequests) {
      this.maxConcurrentRequests = maxConcurrentRequests;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    public Builder slowStart(SlowStartConfig slowStart) {
      this.slowStart = slowStart;
      return this;
    }

    /** The subset's own TLS; {@link SubsetPolicyConfig#TLS_OFF} for none; null for the service's. */
    public Builder tls(TlsConfig tls) {
      this.tls = tls;
      return this;
    }

    /** The subset's own locality; {@link SubsetPolicyConfig#LOCALITY_OFF} for none; null for the service's. */
    public Builder locality(LocalityConfig locality) {
      this.locality = locality;
      return this;
    }

    public SubsetPolicyConfig build() {
      return new SubsetPolicyConfig(loadBalancer, outlierDetection, maxConcurrentRequests, connectTimeout,
          slowStart, tls, locality);
    }
  }
}
