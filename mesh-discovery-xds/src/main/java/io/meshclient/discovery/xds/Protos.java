package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.time.Duration;

/** Conversions from protobuf's well-known types. */
final class Protos {
  private Protos() {}

  static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /** A fractional percent as a percentage, 0..100. */
  static double percent(FractionalPercent p) {
    double denominator = switch (p.getDenominator()) {
      case TEN_THOUSAND -> 10_000;
      case MILLION -> 1_000_000;
      default -> 100;
    };
    return Math.min(100, p.getNumerator() * 100.0 / denominator);
  }
}
