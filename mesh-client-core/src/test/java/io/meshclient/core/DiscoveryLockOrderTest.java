package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A registry delivers later snapshots from its own thread while holding its own lock, and closing one of
 * its watches waits for that lock (Consul's watch does both). Closing the mesh, or a reconfiguration
 * that drops the service, must not hold the mesh's lock while it closes the watch, or the two threads
 * wait for each other forever.
 */
@Timeout(30)
class DiscoveryLockOrderTest {

  /** A watch whose close runs while a delivery, holding the watch's lock, is under way. */
  private static final class LockingDiscovery implements ServiceDiscovery {
    final Object delivery = new Object();
    final CountDownLatch delivering = new CountDownLatch(1);
    final CountDownLatch closed = new CountDownLatch(1);
    volatile Listener listener;

    @Override
    public Watch watch(String service, Listener listener) {
      this.listener = listener;
      listener.onSnapshot(List.of(ServiceInstance.of(service, "127.0.0.1", 1)));
      return () -> {
        Thread deliverer = new Thread(() -> {
          synchronized (delivery) {
            delivering.countDown();
            this.listener.onSnapshot(List.of(ServiceInstance.of(service, "127.0.0.1", 2)));
          }
        }, "registry-delivery");
        deliverer.setDaemon(true);
        deliverer.start();
        try {
          assertThat(delivering.await(5, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        synchronized (delivery) { // as Consul's watch: no snapshot arrives once close returns
          closed.countDown();
        }
      };
    }

    @Override
    public void close() {
    }
  }

  private static void inOtherThreadWithin5s(Runnable action) throws InterruptedException {
    Thread thread = new Thread(action, "closer");
    thread.setDaemon(true);
    thread.start();
    thread.join(5_000);
    assertThat(thread.isAlive()).as("deadlock: the mesh's lock and the registry's lock").isFalse();
  }

  @Test
  void closingTheMeshWhileTheRegistryDeliversEnds() throws Exception {
    LockingDiscovery discovery = new LockingDiscovery();
    Mesh mesh = Mesh.builder().discovery("registry", discovery)
        .config(MeshConfig.builder().service(ServiceConfig.builder("api").build()).build()).build();
    inOtherThreadWithin5s(mesh::close);
    assertThat(discovery.closed.getCount()).isZero();
  }

  @Test
  void droppingAWatchedServiceWhileTheRegistryDeliversEnds() throws Exception {
    LockingDiscovery discovery = new LockingDiscovery();
    InMemoryDiscovery other = new InMemoryDiscovery().set("web", List.of(ServiceInstance.of("web", "127.0.0.1", 3)));
    Mesh mesh = Mesh.builder().discovery("registry", discovery).discovery("other", other)
        .config(MeshConfig.builder().service(ServiceConfig.builder("api").discovery("registry").build()).build()).build();
    inOtherThreadWithin5s(() -> mesh.reconfigure(
        MeshConfig.builder().service(ServiceConfig.builder("web").discovery("other").build()).build()));
    assertThat(discovery.closed.getCount()).isZero();
    mesh.close(); // only once the assertion holds: on a deadlock, closing here would block this thread too
  }
}
