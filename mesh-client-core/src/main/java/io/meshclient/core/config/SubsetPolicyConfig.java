package io.meshclient.core.config;

import java.time.Duration;

/**
 * What one subset of a service does differently from the service (Istio's {@code subsets[].trafficPolicy}):
 * calls routed to the subset use these settings instead of the service's. Each setting left null (or 0)
 * is the service's. A subset with its own outlier detection has its own detector, which records only the
 * calls routed to the subset and ejects only for them, as Envoy's separate cluster per subset does; a
 * subset with its own {@code max-concurrent-requests} counts its calls apart from the service's.
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
 */
public record SubsetPolicyConfig(BalancerConfig loadBalancer, OutlierConfig outlierDetection,
    int maxConcurrentRequests, Duration connectTimeout, SlowStartConfig slowStart) {

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

    public SubsetPolicyConfig build() {
      return new SubsetPolicyConfig(loadBalancer, outlierDetection, maxConcurrentRequests, connectTimeout,
          slowStart);
    }
  }
}
