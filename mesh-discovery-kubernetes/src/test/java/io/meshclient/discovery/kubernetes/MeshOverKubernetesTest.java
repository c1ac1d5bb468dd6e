package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static io.meshclient.discovery.kubernetes.RecordingListener.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A Mesh whose instances come from the mock API server, configured by {@code discovery: kubernetes} alone. */
class MeshOverKubernetesTest {
  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  private Mesh mesh(Map<String, Object> reviews) {
    return Mesh.builder().config(MeshConfig.fromMap(Map.of("mesh", Map.of(
        "discovery", Map.of("kubernetes", api.settingsMap()),
        "services", Map.of("reviews", reviews))))).build();
  }

  /** One slice per backend: each pod listens on its own loopback port. */
  private void pod(Backends backends, String name, String version, Boolean ready) {
    api.pod("reviews-" + name, Map.of("version", version));
    api.slice("reviews-" + name, "reviews", backends.port(name),
        endpoint("127.0.0.1", "reviews-" + name, "zone-a", ready, null));
  }

  private static String call(Mesh mesh, String... header) throws IOException {
    Request.Builder request = new Request.Builder().url("http://reviews/reviews/1");
    if (header.length == 2) {
      request.header(header[0], header[1]);
    }
    try (Response response = mesh.httpClient().newCall(request.build()).execute()) {
      if (response.code() != 200) {
        throw new IOException("HTTP " + response.code());
      }
      return response.body().string();
    }
  }

  @Test
  void anEndpointThatTurnsNotReadyGetsNoCallAfterTheUpdateAndNoCallFails() throws Exception {
    try (Backends backends = new Backends("a", "b", "c");
        Mesh mesh = mesh(Map.of("discovery", "kubernetes", "load-balancer", "round-robin"))) {
      for (String name : List.of("a", "b", "c")) {
        pod(backends, name, "v1", true);
      }
      await(() -> mesh.instances("reviews").size() == 3, Duration.ofSeconds(10), "three instances");
      List<String> failures = new CopyOnWriteArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> callers = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread caller = new Thread(() -> {
          while (running.get()) {
            try {
              call(mesh);
            } catch (IOException | RuntimeException e) {
              failures.add(e.toString());
            }
          }
        });
        caller.start();
        callers.add(caller);
      }
      await(() -> backends.served("b") > 20, Duration.ofSeconds(10), "b serving");

      // b keeps answering (a graceful shutdown): only the EndpointSlice says it is going.
      api.slice("reviews-b", "reviews", backends.port("b"), endpoint("127.0.0.1", "reviews-b", "zone-a", false, true));
      long start = System.nanoTime();
      await(() -> mesh.instances("reviews").size() == 2, Duration.ofSeconds(10), "b out of the mesh");
      Duration applied = Duration.ofNanos(System.nanoTime() - start);
      Thread.sleep(50); // calls that picked b before the swap finish
      int bAtUpdate = backends.served("b");
      int othersAtUpdate = backends.served("a") + backends.served("c");
      await(() -> backends.served("a") + backends.served("c") > othersAtUpdate + 500, Duration.ofSeconds(20),
          "500 more calls");
      running.set(false);
      for (Thread caller : callers) {
        caller.join();
      }

      assertThat(applied).isLessThan(Duration.ofSeconds(1));
      assertThat(backends.served("b")).as("calls to b after the update").isEqualTo(bAtUpdate);
      assertThat(failures).isEmpty();
      assertThat(mesh.instances("reviews")).extracting(ServiceInstance::port)
          .containsExactlyInAnyOrder(backends.port("a"), backends.port("c"));
    }
  }

  /** Bookinfo's reviews routes (samples/bookinfo application.yml) with pods and slices instead of a static list. */
  @Test
  void bookinfoRoutesSplitEightyTwentyAndSendJasonToV2AsOnStaticDiscovery() throws Exception {
    try (Backends backends = new Backends("v1", "v2", "v3")) {
      for (String version : List.of("v1", "v2", "v3")) {
        pod(backends, version, version, true);
      }
      Map<String, Object> reviews = Map.of("discovery", "kubernetes", "timeout", "2s",
          "subsets", Map.of("v1", Map.of("version", "v1"), "v2", Map.of("version", "v2"),
              "v3", Map.of("version", "v3")),
          "routes", List.of(
              Map.of("name", "jason", "match", Map.of("headers", Map.of("end-user", Map.of("exact", "jason"))),
                  "to", "v2"),
              Map.of("name", "canary", "split", Map.of("v1", 80, "v3", 20))));
      try (Mesh mesh = mesh(reviews)) {
        await(() -> mesh.instances("reviews").size() == 3, Duration.ofSeconds(10), "three instances");
        Map<String, Integer> anonymous = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
          anonymous.merge(call(mesh), 1, Integer::sum);
        }
        Map<String, Integer> jason = new HashMap<>();
        for (int i = 0; i < 200; i++) {
          jason.merge(call(mesh, "end-user", "jason"), 1, Integer::sum);
        }
        assertThat(jason).containsExactly(Map.entry("v2", 200));
        assertThat(anonymous).doesNotContainKey("v2");
        // 5,000 calls: the share's standard deviation is 0.57 points, the tolerance 3.
        assertThat(anonymous.get("v3") * 100.0 / 5000).isCloseTo(20.0, within(3.0));
        assertThat(anonymous.get("v1") * 100.0 / 5000).isCloseTo(80.0, within(3.0));
      }
    }
  }
}
