package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.IstioOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Rewriting the watched Istio file switches routing live, under load, without losing a call. */
@Timeout(60)
class IstioLiveSwitchTest {
  @TempDir
  Path dir;

  private static String virtualService(String routes) {
    return IstioRoutingTest.DESTINATION_RULES + """
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - route:
        """ + routes;
  }

  static final String ALL_V1 = """
                - destination: { host: reviews, subset: v1 }
        """;
  static final String EIGHTY_TWENTY = """
                - destination: { host: reviews, subset: v1 }
                  weight: 80
                - destination: { host: reviews, subset: v3 }
                  weight: 20
        """;

  @Test
  void switchingAllV1ToEightyTwentyByRewritingTheFileUnderEightThreadsLosesNoCall() throws Exception {
    try (LoopbackServer v1 = new LoopbackServer("v1"); LoopbackServer v3 = new LoopbackServer("v3");
        LoopbackServer ratings = new LoopbackServer("ratings")) {
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("reviews", List.of(v1.instance("reviews", Map.of("version", "v1")),
              v3.instance("reviews", Map.of("version", "v3"))))
          .set("ratings", List.of(ratings.instance("ratings", Map.of("version", "v1"))));
      Path file = dir.resolve("reviews.yaml");
      Files.writeString(file, virtualService(ALL_V1));
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery)
          .istioOptions(IstioOptions.DEFAULT.withCheckEvery(Duration.ofMillis(100))).build()) {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          Thread thread = new Thread(() -> {
            while (!stop.get()) {
              try (Response r = IstioRoutingTest.get(mesh, "http://reviews/r")) {
                if (r.code() == 200) {
                  r.body().string();
                  ok.incrementAndGet();
                } else {
                  failures.add("status " + r.code());
                }
              } catch (Exception e) {
                failures.add(e.toString());
              }
            }
          });
          thread.start();
          threads.add(thread);
        }
        Thread.sleep(500);
        assertThat(v3.requests.get()).as("all-v1 sends nothing to v3").isZero();
        Path next = dir.resolve("reviews.yaml.tmp");
        Files.writeString(next, virtualService(EIGHTY_TWENTY));
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (v3.requests.get() < 200 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        stop.set(true);
        for (Thread thread : threads) {
          thread.join(10_000);
        }
        assertThat(mesh.config().service("reviews").routes().get(0).split()).containsEntry("v3", 20);
      }
      System.out.printf("istio live switch: %d calls, v1 %d, v3 %d, failures %d%n", ok.get(), v1.requests.get(),
          v3.requests.get(), failures.size());
      assertThat(failures).isEmpty();
      assertThat(v3.requests.get()).isGreaterThanOrEqualTo(200);
      assertThat(v1.requests.get() + v3.requests.get()).isEqualTo(ok.get());
    }
  }
}
