package io.meshclient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Values per instance carried from one list to the next, created only for the instances that are new. */
class InstanceIndexTest {

  private static List<ServiceInstance> list(int n, String prefix) {
    List<ServiceInstance> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(ServiceInstance.builder("api", "127.0.0.1", 8000 + i).id(prefix + i).build());
    }
    return out;
  }

  @Test
  void aFewChangedInstancesGetNewValuesAndTheRestKeepTheirs() {
    AtomicInteger created = new AtomicInteger();
    List<ServiceInstance> first = list(100, "a");
    InstanceIndex<Object> index = InstanceIndex.empty().next(first, i -> {
      created.incrementAndGet();
      return new Object();
    });
    assertThat(created).hasValue(100);
    List<ServiceInstance> second = new ArrayList<>(first);
    ServiceInstance removed = second.set(7, ServiceInstance.builder("api", "127.0.0.1", 9000).id("b7").build());
    InstanceIndex<Object> next = index.next(second, i -> {
      created.incrementAndGet();
      return new Object();
    });
    assertThat(created).hasValue(101);
    for (int i = 0; i < 100; i++) {
      assertThat(next.at(i)).isSameAs(next.get(second.get(i)));
      if (i != 7) {
        assertThat(next.at(i)).isSameAs(index.at(i));
      }
    }
    assertThat(next.at(7)).isNotSameAs(index.at(7));
    // a removed instance may still be looked up by a call that started before the update
    assertThat(next.get(removed)).isIn(index.at(7), null);
  }

  @Test
  void manyUpdatesDropTheRemovedInstancesAndAMovedListKeepsEveryValue() {
    List<ServiceInstance> current = list(40, "a");
    InstanceIndex<String> index = InstanceIndex.<String>empty().next(current, ServiceInstance::id);
    List<ServiceInstance> removedSoFar = new ArrayList<>();
    for (int round = 0; round < 30; round++) {
      List<ServiceInstance> next = new ArrayList<>(current);
      removedSoFar.add(next.set(round % 40, ServiceInstance.builder("api", "127.0.0.1", 9000 + round).id("r" + round)
          .build()));
      current = next;
      index = index.next(current, ServiceInstance::id);
      for (int i = 0; i < current.size(); i++) {
        assertThat(index.at(i)).isEqualTo(current.get(i).id());
        assertThat(index.get(current.get(i))).isEqualTo(current.get(i).id());
      }
    }
    // rebuilt once a quarter could be stale: not every removed instance is still held
    InstanceIndex<String> last = index;
    long held = removedSoFar.stream().filter(r -> last.get(r) != null).count();
    assertThat(held).isLessThanOrEqualTo(10);

    List<ServiceInstance> reversed = new ArrayList<>(current);
    java.util.Collections.reverse(reversed);
    InstanceIndex<String> moved = index.next(reversed, i -> "new");
    for (int i = 0; i < reversed.size(); i++) {
      assertThat(moved.at(i)).isEqualTo(reversed.get(i).id());
    }
  }
}
