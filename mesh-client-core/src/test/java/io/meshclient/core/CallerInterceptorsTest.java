package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.MirrorConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client the caller derives from the mesh's ({@code mesh.httpClient().newBuilder().addInterceptor(auth)}) runs
 * its interceptors after the mesh's, on every request the mesh sends for a call: a hedged attempt and a mirrored
 * copy too, not only the attempts the mesh sends on the caller's chain.
 */
@Timeout(30)
class CallerInterceptorsTest {
  /** The requests the servers received, as "server authorization x-net". */
  private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private final MockWebServer a = server("a");
  private final MockWebServer b = server("b");

  /** Answers at once, except the first request of the test, held until the test ends: the attempt a hedge races. */
  private MockWebServer server(String name) {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        received.add(name + " " + request.getHeaders().get("authorization") + " " + request.getHeaders().get("x-net"));
        if (requests.incrementAndGet() == 1 && request.getHeaders().get("x-mesh-shadow") == null) {
          release.await(20, TimeUnit.SECONDS);
        }
        return new MockResponse.Builder().body(name).build();
      }
    });
    return server;
  }

  @AfterEach
  void stop() {
    release.countDown();
    a.close();
    b.close();
  }

  private static ServiceInstance instance(MockWebServer server, String id, String version) {
    return ServiceInstance.builder("api", "127.0.0.1", server.getPort()).id(id).metadata(Map.of("version", version))
        .build();
  }

  /** The caller's client: the mesh's, with an application interceptor (auth) and a network interceptor after it. */
  private static OkHttpClient derived(Mesh mesh) {
    return mesh.httpClient().newBuilder()
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
            .header("authorization", "Bearer t0ken").build()))
        .addNetworkInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("x-net", "1").build()))
        .build();
  }

  @Test
  void aHedgedAttemptGoesThroughTheInterceptorsOfTheCallersClient() throws Exception {
    // The hedge went out as a call on the mesh's own client: without the caller's authorization header, so its
    // answer (a 401 from a real service), which came first, was the caller's response.
    a.start(InetAddress.getByName("127.0.0.1"), 0);
    b.start(InetAddress.getByName("127.0.0.1"), 0);
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("api", List.of(instance(a, "a", "v1"), instance(b, "b", "v1")));
    try (Mesh mesh = Mesh.builder().config(MeshConfig.fromYaml("""
        mesh:
          services:
            api:
              load-balancer: round-robin
              retry: { attempts: 1, budget: 1000% }
              routes:
                - name: hedged
                  to: { service: api }
                  hedge: { after: 50ms }
        """, name -> null)).discovery("memory", discovery).build()) {
      try (Response r = derived(mesh).newCall(new Request.Builder().url("http://api/x").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
      String first = received.poll(10, TimeUnit.SECONDS);
      String hedge = received.poll(10, TimeUnit.SECONDS);
      assertThat(first).endsWith(" Bearer t0ken 1");
      assertThat(hedge).as("the hedge").isNotNull().isNotEqualTo(first).endsWith(" Bearer t0ken 1");
    }
  }

  @Test
  void aMirroredCopyGoesThroughTheInterceptorsOfTheCallersClient() throws Exception {
    a.start(InetAddress.getByName("127.0.0.1"), 0);
    b.start(InetAddress.getByName("127.0.0.1"), 0);
    release.countDown();
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("api", List.of(instance(a, "a", "v1"), instance(b, "b", "v2")));
    ServiceConfig api = ServiceConfig.builder("api")
        .subset("v1", Map.of("version", "v1")).subset("v2", Map.of("version", "v2"))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "v1").withName("main")
            .withMirror(MirrorConfig.toSubset("v2", 100))).build();
    try (Mesh mesh = Mesh.builder().config(MeshConfig.builder().service(api).build())
        .discovery("memory", discovery).build()) {
      try (Response r = derived(mesh).newCall(new Request.Builder().url("http://api/x").build()).execute()) {
        assertThat(r.body().string()).isEqualTo("a");
      }
      List<String> both = List.of(received.poll(10, TimeUnit.SECONDS), received.poll(10, TimeUnit.SECONDS));
      assertThat(both).containsExactlyInAnyOrder("a Bearer t0ken 1", "b Bearer t0ken 1");
    }
  }
}
