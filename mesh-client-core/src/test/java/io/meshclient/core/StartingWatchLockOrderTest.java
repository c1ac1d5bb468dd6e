package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A watch starts inside a reload's swap, which holds the mesh's lock. A registry may deliver from its own thread
 * while the watch starts, holding a lock of its own that the starting thread then takes to deliver in turn
 * (Kubernetes' SliceWatch: an informer thread delivers once the watch is started, and awaitFirstList delivers
 * again on the calling thread what that thread saw meanwhile, both under the watch's lock). The registry's thread
 * must not wait for the mesh's lock, or the two wait for each other forever.
 */
@Timeout(30)
class StartingWatchLockOrderTest {

  /** Each watch delivers {@code first} from its own thread under {@link #lock}, then {@code second} on the caller's. */
  private static final class TwoThreadedDiscovery implements ServiceDiscovery {
    final Object lock = new Object();
    final List<io.meshclient.api.ServiceInstance> first;
    final List<io.meshclient.api.ServiceInstance> second;

    TwoThreadedDiscovery(List<io.meshclient.api.ServiceInstance> first,
        List<io.meshclient.api.ServiceInstance> second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public Watch watch(String service, Listener listener) {
      CountDownLatch delivering = new CountDownLatch(1);
      Thread informer = new Thread(() -> {
        synchronized (lock) {
          delivering.countDown();
          listener.onSnapshot(first);
        }
      }, "registry-informer");
      informer.setDaemon(true);
      informer.start();
      try {
        assertThat(delivering.await(5, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (lock) { // as awaitFirstList's second delivery: after the informer's has returned
        listener.onSnapshot(second);
      }
      return () -> {};
    }

    @Override
    public void close() {}
  }

  /**
   * Before, the registry's thread waited in the mesh's delivery for the lock the reload held, holding the
   * registry's, which the reload waited for: both hung, and with them the mesh (every later reload, its close).
   */
  @Test
  void aWatchWhoseRegistryDeliversFromAnotherThreadAsItStartsDoesNotHangTheReload() throws Exception {
    try (Backend before = new Backend("reviews before"); Backend second = new Backend("reviews second");
        Backend first = new Backend("reviews first")) {
      InMemoryDiscovery memory = new InMemoryDiscovery().set("reviews", List.of(before.instance("reviews", Map.of())));
      TwoThreadedDiscovery registry = new TwoThreadedDiscovery(List.of(first.instance("reviews", Map.of())),
          List.of(second.instance("reviews", Map.of())));
      Mesh mesh = Mesh.builder().config(reviewsOn("memory")).discovery("memory", memory)
          .discovery("registry", registry).build();
      assertThat(call(mesh)).isEqualTo("reviews before");

      Thread reload = new Thread(() -> mesh.reconfigure(reviewsOn("registry")), "reload");
      reload.setDaemon(true);
      reload.start();
      reload.join(5_000);
      assertThat(reload.isAlive()).as("deadlock: the mesh's lock and the registry's lock").isFalse();

      assertThat(call(mesh)).as("the last of the snapshots delivered as the watch started").isEqualTo("reviews second");
      assertThat(first.requests()).isZero();
      mesh.close(); // only once the assertions hold: on a deadlock, closing here would block this thread too
    }
  }

  private static MeshConfig reviewsOn(String discovery) {
    return MeshConfig.builder().service(ServiceConfig.builder("reviews").discovery(discovery).build()).build();
  }

  private static String call(Mesh mesh) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build())
        .execute()) {
      return response.body().string();
    }
  }
}
