package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.meshclient.api.spi.Setting;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.SlowStartConfig;
import io.meshclient.core.config.TlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cluster, validated and reduced to what the mesh implements.
 *
 * @param name the cluster's name (Istio: {@code outbound|9080|v1|reviews.default.svc.cluster.local})
 * @param edsName the EDS resource holding its endpoints
 * @param balancer the mesh balancer for its lb_policy
 * @param outlier its outlier detection, or null when it has none
 * @param maxRequests circuit_breakers' max_requests at DEFAULT priority (at most {@link #MAX_CONCURRENT_REQUESTS}), or 0
 *     when unset
 * @param tls the TLS its transport socket asks for, or null for plaintext
 * @param tlsKeys the xDS fields {@code tls}'s settings came from, for problems; null without TLS
 * @param slowStart the slow start of its round-robin or least-request lb config, or null
 * @param usable false when it asks for something the mesh cannot do safely (its endpoints are not used)
 * @param notes fields that change traffic and are not implemented, for the report
 */
record ClusterResource(String name, String edsName, String balancer, OutlierConfig outlier, int maxRequests,
    TlsConfig tls, TlsConfig.Keys tlsKeys, SlowStartConfig slowStart, boolean usable, List<String> notes) {
  private static final String TLS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
  /** The mesh's bound of {@code mesh.services.<name>.max-concurrent-requests}. */
  static final int MAX_CONCURRENT_REQUESTS = 1_000_000;

  /**
   * Decodes and validates one CDS resource.
   *
   * @param providers the bootstrap's certificate provider instances, by name, its TLS may name
   */
  static ClusterResource decode(Any any, Map<String, Bootstrap.CertificateProvider> providers) {
    Cluster c;
    try {
      c = any.unpack(Cluster.class);
    } catch (InvalidProtocolBufferException e) {
      throw new XdsInvalidException("cluster", "resource", any.getTypeUrl(), "a decodable envoy.config.cluster.v3.Cluster");
    }
    String where = "cluster " + ServerStrings.printable(c.getName());
    List<String> notes = new ArrayList<>();
    boolean usable = true;
    if (c.getType() != Cluster.DiscoveryType.EDS) {
      notes.add(where + ": type: " + c.getType() + " is not implemented (only EDS): its calls fail");
      usable = false;
    }
    String eds = c.getEdsClusterConfig().getServiceName().isEmpty() ? c.getName() : c.getEdsClusterConfig().getServiceName();
    String balancer = switch (c.getLbPolicy()) {
      case ROUND_ROBIN -> "weighted-round-robin";
      case LEAST_REQUEST -> "least-request";
      case RANDOM -> "random";
      case RING_HASH -> "ring-hash";
      case MAGLEV -> {
        notes.add(where + ": lb_policy: MAGLEV is not implemented: ring hash is used");
        yield "ring-hash";
      }
      default -> throw new XdsInvalidException(where, "lb_policy", c.getLbPolicy(),
          "ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV");
    };
    // As Envoy: lb_config is read for its own lb_policy only; another policy's (a slow start under a RANDOM
    // cluster's round_robin_lb_config) is ignored, not laid on a balancer that cannot take it (the mesh refused it)
    SlowStartConfig slowStart = null;
    if (c.getLbPolicy() == Cluster.LbPolicy.ROUND_ROBIN && c.hasRoundRobinLbConfig()
        && c.getRoundRobinLbConfig().hasSlowStartConfig()) {
      slowStart = slowStart(where, "round_robin_lb_config.slow_start_config", c.getRoundRobinLbConfig().getSlowStartConfig());
    } else if (c.getLbPolicy() == Cluster.LbPolicy.LEAST_REQUEST && c.hasLeastRequestLbConfig()
        && c.getLeastRequestLbConfig().hasSlowStartConfig()) {
      slowStart = slowStart(where, "least_request_lb_config.slow_start_config",
          c.getLeastRequestLbConfig().getSlowStartConfig());
    }
    if (c.hasLeastRequestLbConfig() && (c.getLeastRequestLbConfig().hasChoiceCount()
        && c.getLeastRequestLbConfig().getChoiceCount().getValue() != 2 || c.getLeastRequestLbConfig().hasActiveRequestBias())) {
      notes.add(where + ": least_request_lb_config.choice_count/active_request_bias are not implemented: "
          + "two choices, no bias");
    }
    if (c.hasLoadBalancingPolicy()) {
      notes.add(where + ": load_balancing_policy is not implemented: lb_policy " + c.getLbPolicy() + " is used");
    }
    if (c.hasCommonLbConfig() && (c.getCommonLbConfig().hasZoneAwareLbConfig()
        || c.getCommonLbConfig().hasLocalityWeightedLbConfig())) {
      notes.add(where + ": common_lb_config (zone aware, locality weighted) is not implemented: the highest EDS "
          + "priority is used, without locality weights");
    }
    double panic = c.getCommonLbConfig().hasHealthyPanicThreshold()
        ? c.getCommonLbConfig().getHealthyPanicThreshold().getValue() : 50;
    if (!(panic >= 0 && panic <= 100)) {
      throw new XdsInvalidException(where, "common_lb_config.healthy_panic_threshold", panic, "0..100");
    }
    OutlierConfig outlier = c.hasOutlierDetection()
        ? outlier(where, c.getOutlierDetection(), (int) Math.ceil(panic), notes) : null;
    int maxRequests = 0;
    for (CircuitBreakers.Thresholds t : c.getCircuitBreakers().getThresholdsList()) {
      if (t.getPriority() == RoutingPriority.DEFAULT && t.hasMaxRequests()) {
        long value = Integer.toUnsignedLong(t.getMaxRequests().getValue()); // a uint32
        if (value < 1) {
          throw new XdsInvalidException(where, "circuit_breakers.thresholds.max_requests", value, ">= 1");
        }
        // Above the mesh's bound it is as good as none: istiod's own default is 2^32-1, "no limit"
        maxRequests = (int) Math.min(value, MAX_CONCURRENT_REQUESTS);
      }
    }
    TlsConfig tls = null;
    TlsConfig.Keys tlsKeys = null;
    if (c.hasTransportSocket()) {
      Any socket = c.getTransportSocket().getTypedConfig();
      if (!TLS.equals(socket.getTypeUrl())) {
        notes.add(where + ": transport_socket: " + ServerStrings.printable(socket.getTypeUrl()) + " is not implemented: its calls fail");
        usable = false;
      } else {
        try {
          TlsMapper.Mapped mapped = TlsMapper.map(where, socket.unpack(UpstreamTlsContext.class), providers, notes);
          if (mapped != null) {
            tls = mapped.config();
            tlsKeys = mapped.keys();
          }
        } catch (InvalidProtocolBufferException e) {
          throw new XdsInvalidException(where, "transport_socket.typed_config", "undecodable", "an UpstreamTlsContext");
        }
        usable &= tls != null;
      }
    }
    return new ClusterResource(c.getName(), eds, balancer, outlier, maxRequests, tls, tlsKeys, slowStart, usable,
        List.copyOf(notes));
  }

  /**
   * Loads the files of each cluster's TLS that is new or changed, as the mesh will when it applies it, and
   * as Envoy builds a cluster's transport socket before it accepts the cluster: a file missing or
   * unreadable, or a key that is not its certificate's, is a NACK naming the cluster, the field and the
   * file, not an ACK whose calls then fail at the handshake. TLS settings unchanged since {@code accepted}
   * are not read again: the mesh keeps their identity, which follows the files' rotations on its own.
   */
  static void checkTlsFiles(ResourceUpdate<ClusterResource> update, Map<String, ClusterResource> accepted) {
    java.util.Set<TlsConfig> loaded = new java.util.HashSet<>();
    for (ClusterResource c : new java.util.TreeMap<>(update.valid()).values()) { // in name order: the same NACK each time
      ClusterResource before = accepted.get(c.name());
      if (c.tls() == null || loaded.contains(c.tls()) || before != null && c.tls().equals(before.tls())) {
        continue;
      }
      try {
        c.tls().check(c.tlsKeys(), ClusterResource.class.getClassLoader());
        loaded.add(c.tls());
      } catch (io.meshclient.api.ConfigurationException e) {
        update.reject(c.name(), e.getMessage()); // keeps its accepted version, TLS included, or has none
      }
    }
  }

  /** Envoy's slow_start_config as the mesh's; null when it has no window (Envoy then has no slow start). */
  private static SlowStartConfig slowStart(String where, String field, Cluster.SlowStartConfig s) {
    Duration window = s.hasSlowStartWindow() ? Protos.duration(where, field + ".slow_start_window", s.getSlowStartWindow())
        : Duration.ZERO;
    if (window.isZero()) {
      return null;
    }
    if (window.isNegative() || window.compareTo(Duration.ofHours(1)) > 0 || window.compareTo(Duration.ofMillis(1)) < 0) {
      throw new XdsInvalidException(where, field + ".slow_start_window", window, "between 1ms and 1h");
    }
    double aggression = s.hasAggression() ? s.getAggression().getDefaultValue() : SlowStartConfig.DEFAULT_AGGRESSION;
    if (!(aggression > 0 && aggression <= 10)) {
      throw new XdsInvalidException(where, field + ".aggression.default_value", aggression, "above 0 up to 10");
    }
    double min = s.hasMinWeightPercent() ? s.getMinWeightPercent().getValue() : SlowStartConfig.DEFAULT_MIN_WEIGHT_PERCENT;
    if (!(min >= 0 && min <= 100)) {
      throw new XdsInvalidException(where, field + ".min_weight_percent.value", min, "0..100");
    }
    return new SlowStartConfig(window, aggression, min);
  }

  /**
   * Envoy's outlier detection as the mesh's, with Envoy's defaults for what is unset: consecutive 5xx (5,
   * enforced), consecutive gateway failures (5, not enforced), failure percentage (85%, not enforced) and
   * success rate (1.9 standard deviations, enforced), judged every {@code interval} (10s), at most 10%
   * ejected; the panic threshold is the cluster's {@code healthy_panic_threshold} (50%). An {@code
   * enforcing_*} of 0 turns its detection off; one from 1 to 99 enforces every ejection (noted).
   */
  private static OutlierConfig outlier(String where, OutlierDetection o, int panicPercent, List<String> notes) {
    int consecutive = enforced(where, "consecutive_5xx", o.hasEnforcingConsecutive5Xx()
        ? o.getEnforcingConsecutive5Xx().getValue() : 100, notes) ? (o.hasConsecutive5Xx() ? uint(o.getConsecutive5Xx().getValue()) : 5) : 0;
    int gateway = enforced(where, "consecutive_gateway_failure", o.hasEnforcingConsecutiveGatewayFailure()
        ? o.getEnforcingConsecutiveGatewayFailure().getValue() : 0, notes)
        ? (o.hasConsecutiveGatewayFailure() ? uint(o.getConsecutiveGatewayFailure().getValue()) : 5) : 0;
    Duration base = o.hasBaseEjectionTime() ? Protos.duration(where, "outlier_detection.base_ejection_time",
        o.getBaseEjectionTime(), Duration.ofNanos(1), Setting.MAX_DURATION) : Duration.ofSeconds(30);
    Duration max = o.hasMaxEjectionTime() ? Protos.duration(where, "outlier_detection.max_ejection_time",
        o.getMaxEjectionTime(), Duration.ofNanos(1), Setting.MAX_DURATION) : Duration.ofSeconds(300);
    Duration interval = o.hasInterval() ? Protos.duration(where, "outlier_detection.interval", o.getInterval(),
        Duration.ofMillis(10), Duration.ofHours(1)) : Duration.ofSeconds(10);
    int maxPercent = o.hasMaxEjectionPercent() ? uint(o.getMaxEjectionPercent().getValue()) : 10;
    if (maxPercent > 100) {
      throw new XdsInvalidException(where, "outlier_detection.max_ejection_percent", maxPercent, "0..100");
    }
    OutlierConfig.FailurePercentage failures = OutlierConfig.FailurePercentage.OFF;
    if (enforced(where, "failure_percentage", o.hasEnforcingFailurePercentage()
        ? o.getEnforcingFailurePercentage().getValue() : 0, notes)) {
      int threshold = o.hasFailurePercentageThreshold() ? uint(o.getFailurePercentageThreshold().getValue()) : 85;
      if (threshold < 1 || threshold > 100) { // Envoy ejects every judged host at 0
        throw new XdsInvalidException(where, "outlier_detection.failure_percentage_threshold", threshold, "1..100");
      }
      failures = new OutlierConfig.FailurePercentage(threshold,
          atLeastOne(o.hasFailurePercentageRequestVolume() ? o.getFailurePercentageRequestVolume().getValue() : 50),
          atLeastOne(o.hasFailurePercentageMinimumHosts() ? o.getFailurePercentageMinimumHosts().getValue() : 5));
    }
    OutlierConfig.SuccessRate rates = OutlierConfig.SuccessRate.OFF;
    if (enforced(where, "success_rate", o.hasEnforcingSuccessRate() ? o.getEnforcingSuccessRate().getValue() : 100,
        notes)) {
      int factor = o.hasSuccessRateStdevFactor() ? uint(o.getSuccessRateStdevFactor().getValue()) : 1900;
      if (factor < 1 || factor > 100_000) {
        throw new XdsInvalidException(where, "outlier_detection.success_rate_stdev_factor", factor, "1..100000");
      }
      rates = new OutlierConfig.SuccessRate(factor / 1000.0,
          atLeastOne(o.hasSuccessRateRequestVolume() ? o.getSuccessRateRequestVolume().getValue() : 100),
          Math.max(2, o.hasSuccessRateMinimumHosts() ? uint(o.getSuccessRateMinimumHosts().getValue()) : 5));
    }
    return new OutlierConfig(consecutive, base, max.compareTo(base) < 0 ? base : max, maxPercent, panicPercent,
        gateway, OutlierConfig.SlowEjection.OFF, interval, failures, rates);
  }

  /** Whether a detection whose {@code enforcing_<field>} is {@code percent} is on; 1 to 99 is noted. */
  private static boolean enforced(String where, String field, int percent, List<String> notes) {
    if (percent < 0 || percent > 100) { // a uint32: above 2^31 it reads negative
      throw new XdsInvalidException(where, "outlier_detection.enforcing_" + field, Integer.toUnsignedString(percent),
          "0..100");
    }
    if (percent > 0 && percent < 100) {
      notes.add(where + ": outlier_detection.enforcing_" + field + ": " + percent + "% is not implemented: "
          + "every " + field.replace('_', ' ') + " outlier is ejected");
    }
    return percent > 0;
  }

  private static int atLeastOne(int value) {
    return Math.max(1, uint(value));
  }

  /** A uint32 field's value, {@link Integer#MAX_VALUE} above it (Java reads those negative). */
  private static int uint(int value) {
    return value < 0 ? Integer.MAX_VALUE : value;
  }
}
