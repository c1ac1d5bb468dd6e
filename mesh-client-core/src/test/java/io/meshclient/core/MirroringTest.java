package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.MirrorConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MirroringTest {
  private final Map<String, AtomicInteger> results = new ConcurrentHashMap<>();
  private final MeshListener counting = new MeshListener() {
    @Override
    public void onMirror(String service, String route, String result) {
      results.computeIfAbsent(result, r -> new AtomicInteger()).incrementAndGet();
    }
  };

  private int result(String name) {
    return results.getOrDefault(name, new AtomicInteger()).get();
  }

  private Mesh mesh(InMemoryDiscovery discovery, MirrorConfig mirror) {
    return mesh(discovery, mirror, ServiceConfig.builder("reviews"));
  }

  private Mesh mesh(InMemoryDiscovery discovery, MirrorConfig mirror, ServiceConfig.Builder service) {
    ServiceConfig reviews = service
        .subset("v1", Map.of("version", "v1")).subset("v2", Map.of("version", "v2"))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "v1").withName("main").withMirror(mirror)).build();
    return Mesh.builder().config(MeshConfig.builder().service(reviews).build()).discovery("memory", discovery)
        .random(new SplittableRandom(99)).listener(counting).build();
  }

  private static int get(Mesh mesh) throws IOException {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/r/1").build()).execute()) {
      return r.code();
    }
  }

  private void awaitMirrorsSettled(int sampled) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (result("sent") + result("failed") + result("dropped") + result("skipped") < sampled
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Test
  void tenPercentMirroredOver10000RequestsLandsWithinOnePoint() throws Exception {
    try (Backend primary = new Backend("v1"); Backend shadow = new Backend("v2")) {
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
          primary.instance("reviews", Map.of("version", "v1")), shadow.instance("reviews", Map.of("version", "v2"))));
      try (Mesh mesh = mesh(discovery, MirrorConfig.toSubset("v2", 10).withMaxConcurrent(10_000))) {
        for (int i = 0; i < 10_000; i++) {
          assertThat(get(mesh)).isEqualTo(200);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((shadow.requests() < result("sent") + result("failed")
            || mesh.runtime().service("reviews").plan(0).mirrorsInFlight().get() > 0) && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
      }
      System.out.printf("mirroring: %d of 10000 mirrored%n", shadow.requests());
      assertThat(primary.requests()).isEqualTo(10_000);
      assertThat(shadow.requests() / 100.0).isCloseTo(10.0, org.assertj.core.data.Offset.offset(1.0));
      assertThat(shadow.shadowRequests()).isEqualTo(shadow.requests());
      assertThat(shadow.hostHeaders()).containsExactly("reviews-shadow");
      assertThat(primary.shadowRequests()).isZero();
      assertThat(result("dropped")).isZero();
    }
  }

  @Test
  void aCopyToASilentSubsetInstanceEndsAtTheServiceTimeoutNotTheMeshDefault() throws Exception {
    // The copy goes out addressed to the instance itself, so it had the mesh-wide default timeout (10s): a
    // silent shadow held its max-concurrent slot that long, and copies were dropped meanwhile.
    try (Backend primary = new Backend("v1"); HostilePeer shadow = new HostilePeer((socket, head) -> Thread.sleep(8000))) {
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
          primary.instance("reviews", Map.of("version", "v1")),
          shadow.instance("reviews", "reviews-v2", Map.of("version", "v2"))));
      try (Mesh mesh = mesh(discovery, MirrorConfig.toSubset("v2", 100),
          ServiceConfig.builder("reviews").timeout(java.time.Duration.ofMillis(300)))) {
        long start = System.nanoTime();
        assertThat(get(mesh)).isEqualTo(200);
        awaitMirrorsSettled(1);
        assertThat(result("failed")).isEqualTo(1);
        assertThat(mesh.runtime().service("reviews").plan(0).mirrorsInFlight().get()).isZero();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4000);
      }
    }
  }

  @Test
  void anObservationHandlerThrowingWhenACopyEndsDoesNotKeepItsSlot() throws Exception {
    // With max-concurrent 1, a slot kept by a copy whose observation handler threw drops every later copy.
    io.micrometer.observation.ObservationRegistry registry = io.micrometer.observation.ObservationRegistry.create();
    registry.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
      @Override
      public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
        return true;
      }

      @Override
      public void onStop(io.micrometer.observation.Observation.Context context) {
        if (context instanceof io.meshclient.core.observation.MeshAttemptContext attempt
            && attempt.attemptKind() == io.meshclient.core.observation.AttemptKind.MIRROR) {
          throw new IllegalStateException("a handler's bug");
        }
      }
    });
    try (Backend primary = new Backend("v1"); Backend shadow = new Backend("v2")) {
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
          primary.instance("reviews", Map.of("version", "v1")), shadow.instance("reviews", Map.of("version", "v2"))));
      ServiceConfig reviews = ServiceConfig.builder("reviews")
          .subset("v1", Map.of("version", "v1")).subset("v2", Map.of("version", "v2"))
          .route(RouteConfig.to(RouteConfig.Match.ANY, "v1").withName("main")
              .withMirror(MirrorConfig.toSubset("v2", 100).withMaxConcurrent(1))).build();
      try (Mesh mesh = Mesh.builder().config(MeshConfig.builder().service(reviews).build())
          .discovery("memory", discovery).listener(counting).observationRegistry(registry).build()) {
        for (int i = 1; i <= 3; i++) {
          assertThat(get(mesh)).isEqualTo(200);
          awaitMirrorsSettled(i);
        }
        assertThat(result("dropped")).isZero();
        assertThat(shadow.requests()).isEqualTo(3);
      }
    }
  }

  @Test
  void aHangingMirrorTargetNeverDelaysTheCallerAndExtraCopiesAreDropped() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (Backend primary = new Backend("v1"); Backend shadow = new Backend("v2")) {
      shadow.onRequest(() -> release.await(30, TimeUnit.SECONDS));
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
          primary.instance("reviews", Map.of("version", "v1")), shadow.instance("reviews", Map.of("version", "v2"))));
      try (Mesh mesh = mesh(discovery, MirrorConfig.toSubset("v2", 100).withMaxConcurrent(4))) {
        long slowest = 0;
        for (int i = 0; i < 200; i++) {
          long start = System.nanoTime();
          assertThat(get(mesh)).isEqualTo(200);
          slowest = Math.max(slowest, System.nanoTime() - start);
        }
        // far below the mirror's 30 s hang, with a loaded machine's margin
        assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).isLessThan(5000);
        assertThat(result("dropped")).isEqualTo(196);
        release.countDown();
        awaitMirrorsSettled(200);
        assertThat(result("sent")).isEqualTo(4);
      }
    }
  }

  @Test
  void copiesCanGoToAnotherServiceAndOneShotBodiesAreNotMirrored() throws Exception {
    try (Backend primary = new Backend("v1"); Backend canary = new Backend("canary")) {
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("reviews", List.of(primary.instance("reviews", Map.of("version", "v1"))))
          .set("reviews-canary", List.of(canary.instance("reviews-canary", Map.of())));
      try (Mesh mesh = mesh(discovery, MirrorConfig.toService("reviews-canary", 100))) {
        RequestBody replayable = RequestBody.create("{}", MediaType.get("application/json"));
        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/r").post(replayable)
            .build()).execute()) {
          assertThat(r.code()).isEqualTo(200);
        }
        RequestBody oneShot = new RequestBody() {
          @Override public MediaType contentType() { return MediaType.get("text/plain"); }
          @Override public boolean isOneShot() { return true; }
          @Override public void writeTo(BufferedSink sink) throws IOException { sink.writeUtf8("once"); }
        };
        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/r").post(oneShot)
            .build()).execute()) {
          assertThat(r.code()).isEqualTo(200);
        }
        awaitMirrorsSettled(2);
        assertThat(result("sent")).isEqualTo(1);
        assertThat(result("skipped")).isEqualTo(1);
        assertThat(canary.requests()).isEqualTo(1);
        assertThat(canary.hostHeaders()).containsExactly("reviews-shadow");
        assertThat(primary.requests()).isEqualTo(2);
      }
    }
  }

  @Test
  void anHttpsCallIsNeverMirroredAsPlaintextToASubsetInstanceThatIsNotSecure() throws Exception {
    // The copy was addressed to the instance with the instance's scheme, http, and sent: the call itself was
    // refused before sending, its copy (headers, credentials and body) went out as plaintext.
    try (Backend primary = new Backend("v1"); Backend shadow = new Backend("v2")) {
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
          primary.instance("reviews", Map.of("version", "v1")), shadow.instance("reviews", Map.of("version", "v2"))));
      try (Mesh mesh = mesh(discovery, MirrorConfig.toSubset("v2", 100))) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mesh.httpClient().newCall(new Request.Builder()
                .url("https://reviews/r/1").header("Authorization", "Bearer s3cret").build()).execute())
            .isInstanceOf(io.meshclient.api.MeshException.class)
            .hasMessageContaining("an https:// call is never sent as plain HTTP");
        awaitMirrorsSettled(1);
        assertThat(shadow.requests()).isZero();
        assertThat(result("skipped")).isEqualTo(1);
        assertThat(result("sent") + result("failed")).isZero();
        assertThat(primary.requests()).isZero();
      }
    }
  }

  @Test
  void aCopyToASubsetInstanceWhoseHostIsTheServicesNameReachesThatInstanceNotTheRoute() throws Exception {
    // An instance named by a host that is also the service's name (a compose file's "reviews"): the copy,
    // addressed to it, went through the mesh again as a call to the service, and its route sent it to v1.
    try (Backend primary = new Backend("v1"); Backend shadow = new Backend("v2")) {
      okhttp3.Dns dns = host -> "reviews".equals(host) ? List.of(java.net.InetAddress.getByName("127.0.0.1"))
          : okhttp3.Dns.SYSTEM.lookup(host);
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
          primary.instance("reviews", Map.of("version", "v1")), new io.meshclient.api.ServiceInstance("reviews-v2",
              "reviews", "reviews", shadow.port(), false, 1, Map.of("version", "v2"), "")));
      ServiceConfig reviews = ServiceConfig.builder("reviews")
          .subset("v1", Map.of("version", "v1")).subset("v2", Map.of("version", "v2"))
          .route(RouteConfig.to(RouteConfig.Match.ANY, "v1").withName("main")
              .withMirror(MirrorConfig.toSubset("v2", 100))).build();
      try (Mesh mesh = Mesh.builder().okHttpClient(new okhttp3.OkHttpClient.Builder().dns(dns).build())
          .config(MeshConfig.builder().service(reviews).build()).discovery("memory", discovery).listener(counting)
          .build()) {
        assertThat(get(mesh)).isEqualTo(200);
        awaitMirrorsSettled(1);
        assertThat(result("sent")).isEqualTo(1);
        assertThat(primary.shadowRequests()).isZero();
        assertThat(primary.requests()).isEqualTo(1);
        assertThat(shadow.shadowRequests()).isEqualTo(1);
      }
    }
  }
}
