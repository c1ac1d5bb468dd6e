package io.meshclient.core.internal.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshclient.api.LoadBalancer;
import io.meshclient.api.RequestContext;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.SlowStartConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Envoy's slow start: a warming instance's share follows weight × max(min, (t / window)^(1/aggression)). */
class SlowStartBalancerTest {
  private static final Duration WINDOW = Duration.ofSeconds(100);
  private static final RequestContext NO_CONTEXT = null;

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final RandomGenerator random = new SplittableRandom(42);

  private static ServiceInstance instance(String id, int weight) {
    return new ServiceInstance(id, "reviews", "10.0.0." + id.charAt(0), 8080, false, weight, Map.of(), "");
  }

  private LoadBalancer slowStart(LoadBalancer delegate, SlowStartConfig config) {
    return Balancers.slowStart(delegate, config, now::get, random);
  }

  private static double share(LoadBalancer lb, List<ServiceInstance> list, String id, int picks) {
    int hits = 0;
    for (int i = 0; i < picks; i++) {
      if (lb.pick(list, NO_CONTEXT).id().equals(id)) {
        hits++;
      }
    }
    return hits * 100.0 / picks;
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  /** The share the formula gives {@code weight} among {@code others} (total weight of the warm instances). */
  private static double expected(double weight, double others, double factor) {
    return 100 * weight * factor / (others + weight * factor);
  }

  @Test
  void instancesPresentAtStartUpAreWarm() {
    LoadBalancer lb = slowStart(new RoundRobinBalancer(), SlowStartConfig.of(WINDOW));
    List<ServiceInstance> list = List.of(instance("a", 1), instance("b", 1), instance("c", 1), instance("d", 1));
    assertThat(share(lb, list, "d", 20_000)).isCloseTo(25.0, within(0.1));
  }

  @Test
  void aNewInstanceRampsLinearlyUnderRoundRobin() {
    LoadBalancer lb = slowStart(new RoundRobinBalancer(), SlowStartConfig.of(WINDOW));
    List<ServiceInstance> three = List.of(instance("a", 1), instance("b", 1), instance("c", 1));
    lb.pick(three, NO_CONTEXT);
    List<ServiceInstance> four = List.of(instance("a", 1), instance("b", 1), instance("c", 1), instance("d", 1));
    lb.pick(four, NO_CONTEXT); // d first seen now

    advance(WINDOW.dividedBy(4));
    assertThat(share(lb, four, "d", 20_000)).isCloseTo(expected(1, 3, 0.25), within(3.0));
    advance(WINDOW.dividedBy(4));
    assertThat(share(lb, four, "d", 20_000)).isCloseTo(expected(1, 3, 0.5), within(3.0));
    advance(WINDOW.dividedBy(2));
    assertThat(share(lb, four, "d", 20_000)).isCloseTo(25.0, within(3.0));
  }

  @Test
  void aggressionAndMinimumShapeTheRampUnderWeightedRoundRobin() {
    LoadBalancer lb = slowStart(new WeightedRoundRobinBalancer(), new SlowStartConfig(WINDOW, 2.0, 20));
    List<ServiceInstance> warm = List.of(instance("a", 1), instance("b", 1), instance("c", 2));
    lb.pick(warm, NO_CONTEXT);
    List<ServiceInstance> withD = List.of(instance("a", 1), instance("b", 1), instance("c", 2), instance("d", 2));
    lb.pick(withD, NO_CONTEXT);

    // (0.01)^(1/2) = 0.1, below the 20% minimum.
    advance(WINDOW.dividedBy(100));
    assertThat(share(lb, withD, "d", 20_000)).isCloseTo(expected(2, 4, 0.2), within(3.0));
    advance(WINDOW.dividedBy(4).minus(WINDOW.dividedBy(100)));
    assertThat(share(lb, withD, "d", 20_000)).isCloseTo(expected(2, 4, 0.5), within(3.0)); // sqrt(0.25)
    advance(WINDOW.dividedBy(4));
    assertThat(share(lb, withD, "d", 20_000)).isCloseTo(expected(2, 4, Math.sqrt(0.5)), within(3.0));
    advance(WINDOW.dividedBy(2));
    assertThat(share(lb, withD, "d", 20_000)).isCloseTo(expected(2, 4, 1), within(3.0));
  }

  @Test
  void aReturningInstanceWarmsAgainUnderLeastRequest() {
    LoadBalancer lb = slowStart(Balancers.leastRequest(new SplittableRandom(7)), SlowStartConfig.of(WINDOW));
    List<ServiceInstance> four = List.of(instance("a", 1), instance("b", 1), instance("c", 1), instance("d", 1));
    lb.pick(four, NO_CONTEXT); // start-up: all warm
    assertThat(share(lb, four, "d", 20_000)).isCloseTo(25.0, within(3.0));

    // d ejected (or not ready): gone from the candidates; then back.
    List<ServiceInstance> three = new ArrayList<>(four.subList(0, 3));
    lb.pick(List.copyOf(three), NO_CONTEXT);
    advance(Duration.ofSeconds(5));
    List<ServiceInstance> back = List.of(instance("a", 1), instance("b", 1), instance("c", 1), instance("d", 1));
    lb.pick(back, NO_CONTEXT);
    advance(WINDOW.dividedBy(4));
    assertThat(share(lb, back, "d", 20_000)).isCloseTo(expected(1, 3, 0.25), within(3.0));
    advance(WINDOW.dividedBy(4));
    assertThat(share(lb, back, "d", 20_000)).isCloseTo(expected(1, 3, 0.5), within(3.0));
    advance(WINDOW);
    assertThat(share(lb, back, "d", 20_000)).isCloseTo(25.0, within(3.0));
  }
}
