package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.internal.ReloadCallbacks;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An application's listener that throws from a callback a reload makes (a service removed, an instance refused, the
 * reconfiguration itself) is logged and ignored: the reload completes and is reported applied.
 */
@Timeout(30)
class ThrowingListenerTest {

  /** Throws from every callback a reload makes, each once it has been counted. */
  static final class Throwing implements MeshListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onServiceRemoved(String service) {
      events.add("removed " + service);
      throw new IllegalStateException("no meter for " + service);
    }

    @Override
    public void onInstanceRejected(String service, String instanceId, String reason) {
      events.add("rejected " + instanceId);
      throw new IllegalStateException("no meter for " + instanceId);
    }

    @Override
    public void onReconfigure(boolean applied) {
      events.add("reconfigured " + applied);
      throw new IllegalStateException("no meter for reloads");
    }
  }

  /** Counts what it is told. */
  static final class Recording implements MeshListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onServiceRemoved(String service) {
      events.add("removed " + service);
    }

    @Override
    public void onInstanceRejected(String service, String instanceId, String reason) {
      events.add("rejected " + instanceId);
    }

    @Override
    public void onReconfigure(boolean applied) {
      events.add("reconfigured " + applied);
    }
  }

  /**
   * Before, the exception out of onServiceRemoved, thrown once the new services were in force, left the swap half
   * done (the discoveries it retired open) and reported it refused (reconfigure threw, onReconfigure(false)), and one
   * out of onInstanceRejected refused the reload outright.
   */
  @Test
  void aListenerThatThrowsFromAReloadsCallbacksIsLoggedAndTheReloadApplied() throws Exception {
    try (Backend backend = new Backend("reviews")) {
      ServiceInstance outside = new ServiceInstance("outside", "reviews", "10.1.2.3", 80, false, 1, Map.of(), "");
      InMemoryDiscovery memory = new InMemoryDiscovery()
          .set("reviews", List.of(backend.instance("reviews", Map.of()), outside))
          .set("details", List.of(backend.instance("details", Map.of())));
      Throwing throwing = new Throwing();
      Recording recording = new Recording();
      MeshConfig before = MeshConfig.builder().service(ServiceConfig.builder("reviews").build())
          .service(ServiceConfig.builder("details").build()).build();
      MeshConfig after = MeshConfig.builder().service(ServiceConfig.builder("reviews")
          .allowedAddresses(List.of("127.0.0.0/8")).build()).build();
      try (Mesh mesh = Mesh.builder().config(before).discovery("memory", memory.unlisted())
          .listener(MeshListener.of(List.of(throwing, recording))).build()) {
        try (LogWarnings warnings = new LogWarnings(ReloadCallbacks.class)) {
          mesh.reconfigure(after);

          String listener = "MeshListener " + Throwing.class.getName() + ".";
          String ignored = "; ignored: the mesh goes on as if it had returned";
          assertThat(warnings.messages).containsExactly(
              listener + "onInstanceRejected('reviews', 'outside') threw java.lang.IllegalStateException: no meter "
                  + "for outside" + ignored,
              listener + "onServiceRemoved('details') threw java.lang.IllegalStateException: no meter for details"
                  + ignored,
              listener + "onReconfigure(true) threw java.lang.IllegalStateException: no meter for reloads" + ignored);
        }
        List<String> expected = List.of("rejected outside", "removed details", "reconfigured true");
        assertThat(throwing.events).isEqualTo(expected);
        assertThat(recording.events).as("the listener after the one that threw").isEqualTo(expected);
        assertThat(mesh.config()).isEqualTo(after);
        assertThat(memory.watcherCount("details")).isZero();
        assertThat(call(mesh, "reviews")).isEqualTo("reviews");
      }
    }
  }

  /** A listener given alone, not among others, that throws: the mesh's own call of it is guarded as well. */
  @Test
  void aLoneListenerThatThrowsFromOnReconfigureDoesNotFailTheReload() throws Exception {
    try (Backend backend = new Backend("reviews")) {
      InMemoryDiscovery memory = new InMemoryDiscovery().set("reviews", List.of(backend.instance("reviews", Map.of())))
          .set("details", List.of(backend.instance("details", Map.of())));
      Throwing throwing = new Throwing();
      MeshConfig after = MeshConfig.builder().service(ServiceConfig.builder("reviews").build()).build();
      try (Mesh mesh = Mesh.builder().config(MeshConfig.builder().service(ServiceConfig.builder("details").build())
          .service(ServiceConfig.builder("reviews").build()).build()).discovery("memory", memory.unlisted()).listener(throwing)
          .build(); LogWarnings warnings = new LogWarnings(ReloadCallbacks.class)) {
        mesh.reconfigure(after);

        assertThat(throwing.events).containsExactly("removed details", "reconfigured true");
        assertThat(warnings.messages).hasSize(2);
        assertThat(mesh.config()).isEqualTo(after);
        assertThat(call(mesh, "reviews")).isEqualTo("reviews");
      }
    }
  }

  private static String call(Mesh mesh, String service) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://" + service + "/").build())
        .execute()) {
      return response.body().string();
    }
  }
}
