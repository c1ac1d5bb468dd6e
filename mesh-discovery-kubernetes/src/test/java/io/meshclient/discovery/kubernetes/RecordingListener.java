package io.meshclient.discovery.kubernetes;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Keeps every snapshot a watch delivers. */
final class RecordingListener implements ServiceDiscovery.Listener {
  final List<List<ServiceInstance>> snapshots = new CopyOnWriteArrayList<>();

  @Override
  public void onSnapshot(List<ServiceInstance> instances) {
    snapshots.add(instances);
  }

  /** The last snapshot, or null before the first. */
  List<ServiceInstance> last() {
    return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
  }

  /** The ids of the last snapshot, in order. */
  List<String> lastIds() {
    List<ServiceInstance> last = last();
    return last == null ? null : last.stream().map(ServiceInstance::id).toList();
  }

  /** Waits up to 10 s for a snapshot of exactly {@code ids}. */
  void awaitIds(String... ids) {
    List<String> expected = List.of(ids);
    await(() -> expected.equals(lastIds()), Duration.ofSeconds(10), "instances " + expected);
  }

  /**
   * Waits for a snapshot of exactly {@code ids}, timed from now (after the API server accepted the change):
   * it must come within 1 s. Waits up to 10 s so that a miss reports how long it took.
   */
  void awaitIdsWithinOneSecond(String... ids) {
    List<String> expected = List.of(ids);
    long start = System.nanoTime();
    await(() -> expected.equals(lastIds()), Duration.ofSeconds(10), "instances " + expected);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (took.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new AssertionError("instances " + expected + " applied after " + took.toMillis() + " ms (expected: <= 1000 ms)");
    }
  }

  /** Waits up to {@code max} for {@code condition}; fails naming {@code what} otherwise. */
  static void await(BooleanSupplier condition, Duration max, String what) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + max + " waiting for " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
