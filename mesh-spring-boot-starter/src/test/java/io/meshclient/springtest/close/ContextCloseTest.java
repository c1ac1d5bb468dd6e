package io.meshclient.springtest.close;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.MeshClosedException;
import io.meshclient.core.Mesh;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * (In a package of its own, so that no other test's application scans it.)
 *
 * <p>Closing the application context closes the mesh the starter built: its client refuses calls as a closed
 * mesh's, and no thread it started (the dispatcher's, the Istio files' watch, the client's warm-up) is left.
 */
@Timeout(60)
class ContextCloseTest {
  @TempDir
  Path dir;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  /** Live threads by name. */
  private static Set<String> threads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void closingTheContextClosesTheMeshAndEndsItsThreads() throws Exception {
    Path istio = Files.writeString(dir.resolve("ratings.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: { name: ratings }
        spec:
          hosts: [ratings]
          resolution: STATIC
          ports: [{ number: 9080, name: http, protocol: HTTP }]
          endpoints: [{ address: 127.0.0.1 }]
        """);
    Set<String> before = threads();
    OkHttpClient client;
    try (MockWebServer server = new MockWebServer()) {
      server.start(InetAddress.getLoopbackAddress(), 0);
      server.enqueue(new MockResponse.Builder().body("echoed").build());
      ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
          .properties("spring.config.name=none", "mesh.istio.files=" + istio, "mesh.istio.check-every=100ms",
              "mesh.discovery.static.services.echo[0].url=http://127.0.0.1:" + server.getPort())
          .run();
      Mesh mesh = context.getBean(Mesh.class);
      client = mesh.httpClient();
      try (Response response = client.newCall(new Request.Builder().url("http://echo/").build()).execute()) {
        assertThat(response.body().string()).isEqualTo("echoed");
      }
      assertThat(threads()).contains("mesh-istio-watch");

      context.close();

      assertThatThrownBy(() -> client.newCall(new Request.Builder().url("http://echo/").build()).execute())
          .isInstanceOf(MeshClosedException.class).hasMessage("mesh closed: GET http://echo/... not sent");
      assertThat(server.getRequestCount()).isEqualTo(1);
    }

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Set<String> left;
    do {
      Thread.sleep(100);
      left = threads();
      left.removeAll(before);
      // OkHttp's shared task runner and Okio's timeout watchdog, one per JVM, end on their own after a minute idle
      left.removeIf(name -> name.startsWith("OkHttp TaskRunner") || name.equals("Okio Watchdog"));
    } while (!left.isEmpty() && System.nanoTime() - deadline < 0);
    assertThat(left).as("threads left after closing the context").isEmpty();
  }
}
