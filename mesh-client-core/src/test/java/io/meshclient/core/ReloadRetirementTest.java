package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reconfiguration closes what it retires (a service's watch on the discovery it leaves, the discoveries the mesh
 * created and no longer uses) as {@link Mesh#close()} does: a close that never returns is abandoned after a bound,
 * logged naming the service and the discovery, and the reload completes. Closing itself: {@link MeshCloseTest}.
 */
@Timeout(60)
class ReloadRetirementTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private Backend backend;

  @AfterEach
  void stop() {
    release.countDown();
    if (backend != null) {
      backend.close();
    }
  }

  /** A discovery whose watches list nothing and whose watches' close blocks until the test ends. */
  private ServiceDiscovery hung() {
    return new ServiceDiscovery() {
      @Override
      public Watch watch(String service, Listener listener) {
        listener.onSnapshot(List.of());
        return () -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
      }

      @Override
      public void close() {}

      @Override
      public String toString() {
        return "the hung discovery";
      }
    };
  }

  private static MeshConfig reviewsOn(String discovery) {
    return MeshConfig.builder().service(ServiceConfig.builder("reviews").discovery(discovery).build()).build();
  }

  /**
   * Before, the reload closed the watch it retired inline: a watch blocked on a peer that does not answer hung the
   * reload, and with it every later reload and the configuration file's watcher, for good.
   */
  @Test
  void aReloadWhoseRetiredWatchNeverClosesCompletesAndRoutesOnTheNewConfiguration() throws Exception {
    backend = new Backend("reviews on memory");
    InMemoryDiscovery memory = new InMemoryDiscovery().set("reviews", List.of(backend.instance("reviews", Map.of())));
    try (Mesh mesh = Mesh.builder().config(reviewsOn("hung")).discovery("hung", hung()).discovery("memory", memory)
        .build()) {
      try (LogWarnings warnings = new LogWarnings(io.meshclient.core.internal.MeshRuntime.class)) {
        Thread reload = new Thread(() -> mesh.reconfigure(reviewsOn("memory")), "reload");
        reload.start();
        reload.join(10_000);

        assertThat(reload.isAlive()).as("the reload, 10 s on").isFalse();
        assertThat(warnings.messages).containsExactly("Reconfiguring the mesh: [the watch of 'reviews' on the hung "
            + "discovery] still closing; left to finish in the background");
      } finally {
        release.countDown(); // the old code's reload, still closing the watch, ends before the mesh closes
      }
      assertThat(mesh.config()).isEqualTo(reviewsOn("memory"));
      try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build())
          .execute()) {
        assertThat(response.body().string()).isEqualTo("reviews on memory");
      }
      assertThat(memory.watcherCount("reviews")).isEqualTo(1);
    }
  }
}
