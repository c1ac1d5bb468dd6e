package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A service a reload moves to another discovery is called on the instances that discovery lists, never on those of
 * the discovery it left, whose watch the reload closes.
 */
@Timeout(30)
class ReloadToAnotherDiscoveryTest {
  private static MeshConfig reviewsOn(String discovery) {
    return MeshConfig.builder().service(ServiceConfig.builder("reviews").discovery(discovery).build()).build();
  }

  /**
   * Before, the service moved kept the instances the discovery it left had listed, no longer watched: until the new
   * discovery listed it, calls went on to them (to a pod long gone, if it never did), though the reload warned that
   * its discovery listed no instance of it and calls to it failed.
   */
  @Test
  void aServiceMovedToADiscoveryThatListsNothingYetIsNotCalledOnTheInstancesItLeft() throws Exception {
    try (Backend left = new Backend("reviews on memory"); Backend listed = new Backend("reviews on registry")) {
      InMemoryDiscovery memory = new InMemoryDiscovery().set("reviews", List.of(left.instance("reviews", Map.of())));
      InMemoryDiscovery registry = new InMemoryDiscovery();
      try (Mesh mesh = Mesh.builder().config(reviewsOn("memory")).discovery("memory", memory)
          .discovery("registry", registry.unlisted()).build()) {
        assertThat(call(mesh)).isEqualTo("reviews on memory");

        try (LogWarnings warnings = new LogWarnings(io.meshclient.core.internal.MeshRuntime.class)) {
          mesh.reconfigure(reviewsOn("registry"));
          assertThat(warnings.messages).containsExactly("mesh.services.reviews: discovery 'registry' lists no "
              + "instance of 'reviews' yet; calls to it fail and health shows it DOWN until it does");
        }
        assertThatThrownBy(() -> call(mesh)).isInstanceOf(NoHealthyInstanceException.class)
            .hasMessage("no healthy instance of service 'reviews': its discovery lists no instance of it");
        assertThat(memory.watcherCount("reviews")).isZero();

        registry.set("reviews", List.of(listed.instance("reviews", Map.of())));
        assertThat(call(mesh)).isEqualTo("reviews on registry");
        assertThat(left.requests()).isEqualTo(1);
      }
    }
  }

  private static String call(Mesh mesh) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build())
        .execute()) {
      return response.body().string();
    }
  }
}
