package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.RecordingListener.await;
import static io.meshclient.discovery.consul.Traffic.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 4's acceptance: a Mesh whose services come from the emulated Consul, by configuration alone. */
class MeshOverConsulTest {
  private static final String TOKEN = "0b7ad3c1-2f8e-4a55-9d2e-6c1f3e8b7a90";

  private static final String REVIEWS = "/v1/health/service/reviews";

  private final ConsulEmulator consul = new ConsulEmulator();

  @AfterEach
  void stopConsul() {
    consul.close();
  }

  private static List<String> instanceIds(Mesh mesh, String service) {
    return mesh.instances(service).stream().map(ServiceInstance::id).sorted().toList();
  }

  private MeshConfig config(String wait) {
    return MeshConfig.fromMap(Map.of("mesh", Map.of(
        "discovery", Map.of("consul", Map.of("url", consul.url(), "acl-token", TOKEN, "wait", wait,
            "min-interval", "10ms", "backoff", Map.of("initial", "50ms", "max", "200ms"))),
        "services", Map.of("reviews", Map.of("discovery", "consul", "load-balancer", "round-robin")))));
  }

  @Test
  void meshConfiguredOnlyByYamlCallsTheInstancesRegisteredInConsul(@TempDir Path dir) throws Exception {
    try (Backends backends = new Backends("v1", "v2", "v3")) {
      consul.register(backends.registration("reviews", "v1").withMeta("version", "v1"));
      consul.register(backends.registration("reviews", "v2").withMeta("version", "v2"));
      Path yaml = Files.writeString(dir.resolve("mesh.yaml"), """
          mesh:
            discovery:
              consul:
                url: "http://127.0.0.1:%d"
                acl-token: "%s"
                wait: 2s
                min-interval: 10ms
                backoff: { initial: 50ms, max: 200ms }
            services:
              reviews:
                discovery: consul
                load-balancer: round-robin
                subsets: { v1: { version: v1 }, v2: { version: v2 }, v3: { version: v3 } }
                routes:
                  - match: { headers: { end-user: { exact: jason } } }
                    to: v2
          """.formatted(consul.port(), TOKEN));

      try (Mesh mesh = Mesh.builder().config(MeshConfig.load(yaml)).build()) {
        // Known once built: the first answer is delivered before build() returns.
        assertThat(instanceIds(mesh, "reviews")).containsExactly("v1", "v2");
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 10; i++) {
          answered.add(call(mesh, "http://reviews/api/reviews/1"));
        }
        assertThat(answered).containsExactlyInAnyOrder("v1", "v2");
        for (int i = 0; i < 5; i++) {
          assertThat(call(mesh, "http://reviews/api/reviews/1", "end-user", "jason")).isEqualTo("v2");
        }

        // Consul holds the query at the current index...
        long index = consul.checksIndex();
        await(() -> consul.requestedIndexes(ConsulEmulator.CHECKS).contains(index), Duration.ofSeconds(5),
            "a query at " + index);
        int held = consul.requests(ConsulEmulator.CHECKS).size();
        int fetches = consul.requests(REVIEWS).size();
        Thread.sleep(300);
        assertThat(consul.requests(ConsulEmulator.CHECKS)).hasSize(held);
        assertThat(consul.requests(REVIEWS)).hasSize(fetches);
        // ...until the index changes: the new instance is seen well within the 2 s wait,
        long start = System.nanoTime();
        consul.register(backends.registration("reviews", "v3").withMeta("version", "v3"));
        await(() -> instanceIds(mesh, "reviews").contains("v3"), Duration.ofSeconds(2), "v3 in the mesh");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        assertThat(answeredWithin(mesh, 30)).contains("v3");
        // ...or the wait elapses: Consul answers with the same index and the watch asks again.
        long next = consul.checksIndex();
        await(() -> consul.requestedIndexes(ConsulEmulator.CHECKS).stream().filter(i -> i == next).count() >= 2,
            Duration.ofSeconds(5), "the query at " + next + " repeated after the wait");
      }
      assertThat(consul.requests()).allSatisfy(r -> {
        assertThat(r.token()).isEqualTo(TOKEN);
        assertThat(r.url()).doesNotContain(TOKEN);
      });
    }
  }

  @Test
  void trafficGoesExactlyToThePassingSetWithinOneBlockingRoundTrip() throws Exception {
    try (Backends backends = new Backends("a", "b", "c", "d")) {
      for (String name : List.of("a", "b", "c")) {
        consul.register(backends.registration("reviews", name));
      }
      // A 10 s wait: only Consul releasing the held query can explain a change seen in under 1 s.
      try (Mesh mesh = Mesh.builder().config(config("10s")).build()) {
        awaitInstances(mesh);
        Traffic traffic = new Traffic(mesh, "reviews");
        traffic.awaitAnswersFrom("a", "b", "c");
        long index = consul.checksIndex();
        await(() -> consul.requestedIndexes(ConsulEmulator.CHECKS).contains(index), Duration.ofSeconds(5),
            "the held query");
        int before = consul.requests(REVIEWS).size();

        long start = System.nanoTime();
        consul.atomically(() -> {
          consul.register(backends.registration("reviews", "d"));
          consul.deregister("reviews", "a");
          consul.setStatus("reviews", "b", "critical");
        });
        await(() -> instanceIds(mesh, "reviews").equals(List.of("c", "d")), Duration.ofSeconds(5),
            "the mesh to route to c and d");
        Duration converged = Duration.ofNanos(System.nanoTime() - start);
        int roundTrips = consul.requests(REVIEWS).size() - before;
        traffic.close();

        assertThat(converged).isLessThan(Duration.ofSeconds(2));
        // One fetch for the changed checks, one for the registration (the catalog feed), unless coalesced.
        assertThat(roundTrips).as("queries of reviews sent after the change").isBetween(1, 2);
        assertThat(traffic.failures()).isEmpty();
        Map<String, Integer> atSwitch = backends.requestCounts();
        assertThat(answeredWithin(mesh, 40)).containsExactlyInAnyOrder("c", "d");
        Map<String, Integer> after = backends.requestCounts();
        assertThat(after.get("a")).isEqualTo(atSwitch.get("a"));
        assertThat(after.get("b")).isEqualTo(atSwitch.get("b"));
        assertThat(after.get("c") - atSwitch.get("c") + after.get("d") - atSwitch.get("d")).isEqualTo(40);
      }
    }
  }

  @Test
  void meshKeepsCallingBackendsThroughConsulOutagesAndSeesChangesOnceItReturns() throws Exception {
    try (Backends backends = new Backends("a", "b", "c")) {
      consul.register(backends.registration("reviews", "a"));
      consul.register(backends.registration("reviews", "b"));
      try (Mesh mesh = Mesh.builder().config(config("1s")).build()) {
        awaitInstances(mesh);
        Traffic traffic = new Traffic(mesh, "reviews");
        traffic.awaitAnswersFrom("a", "b");
        int beforeOutage = traffic.total();

        consul.failWith(503);
        Thread.sleep(500);
        consul.stop(); // refused
        consul.failWith(0);
        Thread.sleep(500);
        try (BlackHole hung = new BlackHole(consul.port())) {
          Thread.sleep(2_500); // longer than one read timeout (1 s + 1/16 s + 1 s)
          assertThat(hung.accepted()).isPositive();
        }
        int duringOutage = traffic.total() - beforeOutage;
        assertThat(instanceIds(mesh, "reviews")).containsExactly("a", "b");
        consul.register(backends.registration("reviews", "c"));
        consul.start();
        long returned = System.nanoTime();
        await(() -> instanceIds(mesh, "reviews").contains("c"), Duration.ofSeconds(30), "c in the mesh");
        Duration recovery = Duration.ofNanos(System.nanoTime() - returned);
        traffic.awaitAnswersFrom("c");
        traffic.close();

        assertThat(traffic.failures()).isEmpty();
        assertThat(duringOutage).isGreaterThan(100);
        assertThat(recovery).isLessThan(Duration.ofSeconds(30));
      }
    }
  }

  /**
   * Normally a no-op (the first answer comes before build() returns); on a starved machine the first
   * answer may take longer than watch() waits for it, and these tests are about what comes after.
   */
  private static void awaitInstances(Mesh mesh) {
    await(() -> !mesh.instances("reviews").isEmpty(), Duration.ofSeconds(10), "Consul's first answer");
  }

  private static Set<String> answeredWithin(Mesh mesh, int calls) throws Exception {
    Set<String> answered = new HashSet<>();
    for (int i = 0; i < calls; i++) {
      answered.add(call(mesh, "http://reviews/"));
    }
    return answered;
  }
}
