package io.meshclient.discovery.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.meshclient.core.config.FaultConfig;
import java.util.List;
import java.util.Map;

/**
 * Maps the fault filter's config ({@code envoy.filters.http.fault}'s HTTPFault, from the listener's chain or a
 * virtual host's or route's {@code typed_per_filter_config}) onto the mesh's {@link FaultConfig}.
 */
final class FaultMapper {
  static final String FAULT_FILTER = "envoy.filters.http.fault";

  private FaultMapper() {}

  /**
   * The fault filter's per-route config among {@code configs}, else {@code inherited}; any other filter's
   * config is reported.
   */
  static HTTPFault fault(String key, Map<String, com.google.protobuf.Any> configs, boolean faultFilter,
      HTTPFault inherited, List<String> notes) {
    HTTPFault fault = inherited;
    for (var e : configs.entrySet()) {
      if (e.getKey().equals(FAULT_FILTER) && faultFilter) {
        try {
          fault = e.getValue().unpack(HTTPFault.class);
        } catch (InvalidProtocolBufferException ex) {
          throw new XdsInvalidException(key, "typed_per_filter_config." + ServerStrings.printable(e.getKey()), "undecodable", "an HTTPFault");
        }
      } else {
        notes.add(key + ": typed_per_filter_config." + ServerStrings.printable(e.getKey()) + " is not implemented");
      }
    }
    return fault;
  }

  /**
   * The fault {@code f} injects; what the mesh cannot inject is noted.
   *
   * @throws XdsInvalidException when its abort's {@code http_status} is outside 200..599
   */
  static FaultConfig fault(String key, HTTPFault f, List<String> notes) {
    double delayPercent = 0;
    java.time.Duration delay = null;
    if (f.hasDelay()) {
      if (f.getDelay().hasFixedDelay()) {
        delay = Protos.duration(key, "fault.delay.fixed_delay", f.getDelay().getFixedDelay(), java.time.Duration.ZERO,
            io.meshclient.api.spi.Setting.MAX_DURATION);
        delayPercent = delay.isZero() ? 0 : Protos.percent(f.getDelay().getPercentage());
        delay = delay.isZero() ? null : delay; // no delay
      } else {
        notes.add(key + ": fault.delay.header_delay is not implemented");
      }
    }
    double abortPercent = 0;
    int status = 0;
    if (f.hasAbort()) {
      if (f.getAbort().hasHttpStatus()) {
        status = f.getAbort().getHttpStatus();
        if (status < 200 || status > 599) {
          throw new XdsInvalidException(key, "fault.abort.http_status", status, "200..599");
        }
        abortPercent = Protos.percent(f.getAbort().getPercentage());
      } else {
        notes.add(key + ": fault.abort: only http_status is implemented");
      }
    }
    if (f.getHeadersCount() > 0 || f.hasMaxActiveFaults() || f.hasResponseRateLimit()) {
      notes.add(key + ": fault.headers/max_active_faults/response_rate_limit are not implemented");
    }
    return new FaultConfig(delayPercent, delay, abortPercent, status, null);
  }
}
