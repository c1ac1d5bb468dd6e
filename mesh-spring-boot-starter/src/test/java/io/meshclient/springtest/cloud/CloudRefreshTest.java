package io.meshclient.springtest.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import io.meshclient.core.metrics.MeshMetricNames;
import io.meshclient.spring.boot.MeshClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;

/**
 * (In a package of its own, so that the other tests' applications do not scan this client.)
 *
 * <p>With Spring Cloud's refresh on the classpath, the routes live in a file the application imports
 * ({@code spring.config.import}); the file is rewritten and {@code POST /actuator/refresh} is called, as
 * an operator (or Spring Cloud Config's bus) would. The new split takes effect under load without losing
 * a call; an invalid version is refused, counted, and the old split keeps serving while the refresh of
 * the rest of the application still succeeds.
 */
@Timeout(90)
class CloudRefreshTest {
  @TempDir
  Path dir;
  private final MockWebServer v1 = new MockWebServer();
  private final MockWebServer v3 = new MockWebServer();
  private ConfigurableApplicationContext app;

  @MeshClient("reviews")
  public interface Reviews {
    @GetExchange("/reviews/{id}")
    String review(@PathVariable("id") int id);
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class CloudApp {}

  @BeforeEach
  void start() throws IOException {
    for (MockWebServer server : List.of(v1, v3)) {
      String version = server == v1 ? "v1" : "v3";
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return new MockResponse.Builder().body(version).build();
        }
      });
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    }
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    v1.close();
    v3.close();
  }

  private String routes(Object v1Weight, int v3Weight) {
    return """
        mesh:
          discovery.static.services.reviews:
            - { url: "http://127.0.0.1:%d", metadata: { version: v1 } }
            - { url: "http://127.0.0.1:%d", metadata: { version: v3 } }
          services:
            reviews:
              subsets: { v1: { version: v1 }, v3: { version: v3 } }
              routes:
                - name: canary
                  split: { v1: %s, v3: %d }
        """.formatted(v1.getPort(), v3.getPort(), v1Weight, v3Weight);
  }

  private String refresh(HttpClient http, int port) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/actuator/refresh"))
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("refresh status, body " + response.body()).isEqualTo(200);
    return response.body();
  }

  @Test
  void aRefreshThatChangesMeshKeysReconfiguresTheMeshUnderLoadAndRefusesABadVersion() throws Exception {
    Path file = Files.writeString(dir.resolve("routes.yml"), routes(100, 0));
    // Command-line arguments, because a refresh keeps them when it reloads the configuration files.
    app = new SpringApplicationBuilder(CloudApp.class).run("--server.port=0", "--spring.config.name=cloud-refresh",
        "--spring.config.import=file:" + file, "--management.endpoints.web.exposure.include=refresh",
        "--spring.main.banner-mode=off");
    int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    Reviews reviews = app.getBean(Reviews.class);
    Mesh mesh = app.getBean(Mesh.class);
    MeterRegistry meters = app.getBean(MeterRegistry.class);
    assertThat(reviews.review(1)).isEqualTo("v1");

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger toV3 = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    HttpClient http = HttpClient.newHttpClient(); // not AutoCloseable before Java 21
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        workers.add(pool.submit(() -> {
          while (running.get()) {
            try {
              if ("v3".equals(reviews.review(1))) {
                toV3.incrementAndGet();
              }
            } catch (RuntimeException e) {
              failed.incrementAndGet();
            }
            calls.incrementAndGet();
          }
        }));
      }
      awaitCalls(calls, 300);
      assertThat(toV3.get()).as("calls to v3 before the refresh").isZero();

      Files.writeString(file, routes(0, 100));
      String changed = refresh(http, port);
      assertThat(changed).contains("mesh.services.reviews.routes[0].split.v3");
      int v1AtRefresh = v1.getRequestCount();
      awaitCalls(calls, calls.get() + 600);
      assertThat(v1.getRequestCount()).as("v1 calls after the refresh returned (8 may have been in flight)")
          .isLessThanOrEqualTo(v1AtRefresh + 8);
      assertThat(mesh.config().service("reviews").routes().get(0).split()).containsEntry("v3", 100);

      Files.writeString(file, routes("-5", 100));
      refresh(http, port); // still 200: a refused mesh change does not fail the application's refresh
      int v1AtBadRefresh = v1.getRequestCount();
      awaitCalls(calls, calls.get() + 300);
      assertThat(v1.getRequestCount()).as("calls to v1 after the refused change").isEqualTo(v1AtBadRefresh);
      assertThat(mesh.config().service("reviews").routes().get(0).split()).containsEntry("v3", 100);

      running.set(false);
      for (Future<?> w : workers) {
        w.get(20, TimeUnit.SECONDS);
      }
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
    System.out.printf("Spring Cloud refresh under load: %d calls, %d failed, %d to v3 after the change%n",
        calls.get(), failed.get(), toV3.get());
    assertThat(failed.get()).as("calls lost across both refreshes").isZero();
    assertThat(meters.get(MeshMetricNames.RECONFIGURATIONS).tag(MeshMetricNames.RESULT, "applied").counter().count())
        .isEqualTo(1.0);
    assertThat(meters.get(MeshMetricNames.RECONFIGURATIONS).tag(MeshMetricNames.RESULT, "refused").counter().count())
        .isEqualTo(1.0);
  }

  private static void awaitCalls(AtomicInteger calls, int atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (calls.get() < atLeast) {
      assertThat(System.nanoTime()).as("waited 30 s for " + atLeast + " calls").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
