package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Records the snapshots a watch pushes, and waits for them. */
final class RecordingListener implements ServiceDiscovery.Listener {
  private final List<List<ServiceInstance>> snapshots = new CopyOnWriteArrayList<>();

  @Override
  public void onSnapshot(List<ServiceInstance> instances) {
    snapshots.add(instances);
  }

  List<List<ServiceInstance>> snapshots() {
    return List.copyOf(snapshots);
  }

  /** Waits up to 5 s for the {@code n}-th snapshot (1-based) and returns it. */
  List<ServiceInstance> awaitSnapshot(int n) {
    await(() -> snapshots.size() >= n, Duration.ofSeconds(5), "snapshot " + n + " (got " + snapshots + ")");
    return snapshots.get(n - 1);
  }

  /** The ids of the {@code n}-th snapshot, waiting for it. */
  List<String> awaitIds(int n) {
    return awaitSnapshot(n).stream().map(ServiceInstance::id).toList();
  }

  /** Polls {@code condition} every 10 ms until it holds, failing after {@code timeout}. */
  static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
