package io.meshclient.core.internal.balancer;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.LoadBalancerProvider;
import io.meshclient.core.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Latency-aware power of two choices (Finagle's and Linkerd's peak EWMA): of two random instances, take
 * the one with the lower peak-EWMA latency times requests in flight. A slow instance is avoided as soon as
 * one slow response is seen. Its cost decays with the time since its last response ({@code decay},
 * default 10s), also while it gets no traffic, so it is tried again once its decayed cost falls below the
 * others' (about {@code decay * ln(slow / fast)} later: 30s for an instance 20 times slower).
 */
final class PeakEwmaBalancer extends StatefulBalancer {
  /** Load of an instance that is busy but was never measured: worse than any measured one. */
  private static final double UNMEASURED_PENALTY_NANOS = 1e12;

  private final double decayNanos;
  private final Ticker ticker;

  PeakEwmaBalancer(Duration decay, Ticker ticker) {
    this.decayNanos = decay.toNanos();
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  @Override
  public ServiceInstance pick(List<ServiceInstance> instances, RequestContext context) {
    return pickOfTwo(instances, ThreadLocalRandom.current());
  }

  /** The lower decayed cost times (in flight + 1), without reading the clock: {@link InstanceStats#lighterThan}. */
  @Override
  boolean lighter(InstanceStats b, InstanceStats a) {
    return b.lighterThan(a, UNMEASURED_PENALTY_NANOS, decayNanos);
  }

  @Override
  void observe(InstanceStats stats, CallOutcome outcome, long latencyNanos) {
    if (outcome != CallOutcome.CANCELLED) {
      stats.observe(latencyNanos, ticker.nanoTime(), decayNanos);
    }
  }

  /**
   * Provides {@code peak-ewma}; option {@code decay} (default 10s). The mesh creates it with its own
   * ticker ({@link Balancers#create}); {@link #create(BalancerContext)} uses the system's.
   */
  public static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return "peak-ewma";
    }

    @Override
    public LoadBalancer create(BalancerContext context) {
      return create(context, Ticker.system());
    }

    LoadBalancer create(BalancerContext context, Ticker ticker) {
      BalancerOptions.allowOnly(context, java.util.Set.of("decay"));
      String decay = context.options().get("decay");
      Duration d = decay == null ? Duration.ofSeconds(10) : BalancerOptions.duration(context, "decay", decay);
      return new PeakEwmaBalancer(d, ticker);
    }
  }
}
