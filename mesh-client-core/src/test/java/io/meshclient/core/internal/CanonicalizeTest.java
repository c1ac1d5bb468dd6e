package io.meshclient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 21: a discovery update keeps the objects (and so the balancer state) of unchanged instances. */
class CanonicalizeTest {

  private static ServiceInstance instance(int i, int weight) {
    return new ServiceInstance("i-" + i, "svc", "10.0.0." + i, 8080, false, weight, Map.of("version", "v1"), "");
  }

  private static List<ServiceInstance> list(int n, int changed, int weight) {
    List<ServiceInstance> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(instance(i, i == changed ? weight : 1));
    }
    return List.copyOf(out);
  }

  @Test
  void anEqualSnapshotOfNewObjectsGivesBackThePreviousListItself() {
    List<ServiceInstance> previous = list(100, -1, 1);

    assertThat(CanonicalInstances.canonicalize(previous, list(100, -1, 1))).isSameAs(previous);
  }

  @Test
  void oneChangedInstanceIsTheOnlyNewObject() {
    List<ServiceInstance> previous = list(100, -1, 1);

    List<ServiceInstance> next = CanonicalInstances.canonicalize(previous, list(100, 42, 5));

    assertThat(next).isNotSameAs(previous).hasSize(100);
    for (int i = 0; i < 100; i++) {
      if (i == 42) {
        assertThat(next.get(i)).isNotSameAs(previous.get(i)).extracting(ServiceInstance::weight).isEqualTo(5);
      } else {
        assertThat(next.get(i)).isSameAs(previous.get(i));
      }
    }
  }

  @Test
  void instancesInAnotherOrderOrWithOneRemovedAreFoundById() {
    List<ServiceInstance> previous = list(5, -1, 1);
    List<ServiceInstance> reordered = List.of(instance(4, 1), instance(0, 1), instance(2, 1), instance(3, 1));

    List<ServiceInstance> next = CanonicalInstances.canonicalize(previous, reordered);

    assertThat(next).containsExactly(previous.get(4), previous.get(0), previous.get(2), previous.get(3));
    assertThat(next.get(0)).isSameAs(previous.get(4));
    assertThat(CanonicalInstances.canonicalize(previous, list(6, -1, 1))).hasSize(6).startsWith(
        previous.toArray(ServiceInstance[]::new));
  }

  @Test
  void aNewInstanceAheadOfKnownOnesKeepsTheKnownObjects() {
    List<ServiceInstance> previous = List.of(instance(0, 1), instance(1, 1));

    List<ServiceInstance> next = CanonicalInstances.canonicalize(previous, List.of(instance(2, 1), instance(0, 1), instance(1, 1)));

    assertThat(next).hasSize(3);
    assertThat(next.get(1)).isSameAs(previous.get(0));
    assertThat(next.get(2)).isSameAs(previous.get(1));
  }
}
