package io.meshclient.core.internal.balancer;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Latency-aware power of two choices (Finagle's and Linkerd's peak EWMA): of two random instances, take
 * the one with the lower peak-EWMA latency times requests in flight. A slow instance is avoided as soon as
 * one slow response is seen, and tried again as its average decays ({@code decay}, default 10s).
 */
final class PeakEwmaBalancer extends StatefulBalancer {
  /** Load of an instance that is busy but was never measured: worse than any measured one. */
  private static final double UNMEASURED_PENALTY_NANOS = 1e12;

  private final double decayNanos;

  PeakEwmaBalancer(Duration decay) {
    this.decayNanos = decay.toNanos();
  }

  @Override
  public ServiceInstance pick(List<ServiceInstance> instances, RequestContext context) {
    return pickOfTwo(instances, ThreadLocalRandom.current());
  }

  @Override
  double load(InstanceStats stats) {
    return stats.load(UNMEASURED_PENALTY_NANOS);
  }

  @Override
  void observe(InstanceStats stats, CallOutcome outcome, long latencyNanos) {
    if (outcome != CallOutcome.CANCELLED) {
      stats.observe(latencyNanos, System.nanoTime(), decayNanos);
    }
  }

  /** Provides {@code peak-ewma}; option {@code decay} (default 10s). */
  public static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return "peak-ewma";
    }

    @Override
    public LoadBalancer create(BalancerContext context) {
      BalancerOptions.allowOnly(context, java.util.Set.of("decay"));
      String decay = context.options().get("decay");
      Duration d = decay == null ? Duration.ofSeconds(10) : BalancerOptions.duration(context, "decay", decay);
      return new PeakEwmaBalancer(d);
    }
  }
}
