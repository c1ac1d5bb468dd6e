package io.meshclient.core.internal.istio;

import io.meshclient.core.config.FaultConfig;
import java.time.Duration;

/**
 * Maps a VirtualService route's {@code fault} (Istio's HTTPFaultInjection) onto a {@link FaultConfig}: fixed
 * delays and HTTP aborts, each applied to its percentage of requests.
 */
final class IstioFaults {
  private IstioFaults() {}

  /** The fault {@code fault} injects, or null when it delays and aborts no request. */
  static FaultConfig fault(SpecNode fault) {
    fault.fields("delay", "abort");
    if (!fault.has("delay") && !fault.has("abort")) {
      fault.loading.problem(fault.resource, fault.path, "neither delay nor abort", "a delay, an abort or both "
          + "(Istio: \"HTTP fault injection must have an abort and/or a delay\")");
      return null;
    }
    double delayPercent = 0;
    Duration delay = null;
    double abortPercent = 0;
    int abortStatus = 0;
    SpecNode d = fault.child("delay");
    if (d != null) {
      d.fields("fixedDelay", "exponentialDelay", "percentage", "percent");
      d.unsupported("exponentialDelay", "exponential delays; use fixedDelay");
      delay = d.duration("fixedDelay", Duration.ofNanos(1));
      delayPercent = faultPercent(d);
      if (delay == null) {
        delayPercent = 0;
      }
    }
    SpecNode a = fault.child("abort");
    if (a != null) {
      a.fields("httpStatus", "grpcStatus", "http2Error", "percentage");
      a.unsupported("grpcStatus", "gRPC aborts; use httpStatus");
      a.unsupported("http2Error", "HTTP/2 error aborts; use httpStatus");
      Integer status = a.integer("httpStatus", 200, 599);
      if (status != null) {
        abortStatus = status;
        abortPercent = faultPercent(a);
      }
    }
    if (delayPercent == 0 && abortPercent == 0) {
      return null; // Istio: without a percentage no request is delayed or aborted
    }
    return new FaultConfig(delayPercent, delay, abortPercent, abortStatus == 0 ? 503 : abortStatus, null);
  }

  private static double faultPercent(SpecNode node) {
    SpecNode p = node.child("percentage");
    if (p != null) {
      return p.percentage();
    }
    Integer percent = node.has("percent") ? node.integer("percent", 0, 100) : null;
    return percent == null ? 0 : percent;
  }
}
