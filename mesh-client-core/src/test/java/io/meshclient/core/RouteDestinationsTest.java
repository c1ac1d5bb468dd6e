package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Routes whose destination is another service, weighted splits across services, header changes and URI
 * rewrites, each configured in mesh.yaml and seen by real servers on 127.0.0.1.
 */
@Timeout(60)
class RouteDestinationsTest {
  private final List<Server> servers = new java.util.ArrayList<>();

  /** A loopback HTTP server answering its name, counting requests and keeping the last one's path and headers. */
  private static final class Server implements AutoCloseable {
    final String name;
    final HttpServer http;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicReference<String> lastPath = new AtomicReference<>();
    final Map<String, List<String>> lastHeaders = new ConcurrentHashMap<>();

    Server(String name) throws IOException {
      this.name = name;
      this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      http.createContext("/", exchange -> {
        requests.incrementAndGet();
        lastPath.set(exchange.getRequestURI().getRawPath()
            + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
        lastHeaders.clear();
        exchange.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(java.util.Locale.ROOT), v));
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("x-backend", name);
        exchange.getResponseHeaders().add("x-internal", "secret-build-id");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      http.start();
    }

    ServiceInstance instance(String service, Map<String, String> metadata) {
      return ServiceInstance.builder(service + "-" + name, "127.0.0.1", http.getAddress().getPort())
          .metadata(metadata).build();
    }

    List<String> header(String name) {
      return lastHeaders.getOrDefault(name, List.of());
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  private Server server(String name) throws IOException {
    Server s = new Server(name);
    servers.add(s);
    return s;
  }

  @AfterEach
  void stopServers() {
    servers.forEach(Server::close);
  }

  private static Mesh mesh(String yaml, InMemoryDiscovery discovery) {
    return Mesh.builder().config(MeshConfig.fromYaml(yaml, name -> null)).discovery("memory", discovery)
        .random(new SplittableRandom(11)).build();
  }

  private static Response get(Mesh mesh, String url, String... headers) throws IOException {
    Request.Builder request = new Request.Builder().url(url);
    for (int i = 0; i < headers.length; i += 2) {
      request.addHeader(headers[i], headers[i + 1]);
    }
    return mesh.httpClient().newCall(request.build()).execute();
  }

  private static String body(Mesh mesh, String url, String... headers) throws IOException {
    try (Response r = get(mesh, url, headers)) {
      return r.body().string();
    }
  }

  @Test
  void aRouteSendsJasonToAnotherServiceWithThatServicesSubsetAndTheRestStays() throws Exception {
    Server reviews = server("reviews-v1");
    Server ratingsV1 = server("ratings-v1");
    Server ratingsV2 = server("ratings-v2");
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("reviews", List.of(reviews.instance("reviews", Map.of())))
        .set("ratings", List.of(ratingsV1.instance("ratings", Map.of("version", "v1")),
            ratingsV2.instance("ratings", Map.of("version", "v2"))));
    try (Mesh mesh = mesh("""
        mesh:
          services:
            ratings:
              subsets: { v1: { version: v1 }, v2: { version: v2 } }
            reviews:
              routes:
                - name: jason-to-ratings
                  match: { headers: { end-user: { exact: jason } } }
                  to: { service: ratings, subset: v2 }
        """, discovery)) {
      for (int i = 0; i < 20; i++) {
        assertThat(body(mesh, "http://reviews/r/1", "end-user", "jason")).isEqualTo("ratings-v2");
        assertThat(body(mesh, "http://reviews/r/1")).isEqualTo("reviews-v1");
      }
    }
    assertThat(ratingsV2.requests.get()).isEqualTo(20);
    assertThat(ratingsV1.requests.get()).isZero();
    assertThat(reviews.requests.get()).isEqualTo(20);
  }

  @Test
  void aWeightedSplitAcrossTwoServicesLandsWithinTwoPointsAtTheServers() throws Exception {
    Server reviews = server("reviews");
    Server ratings = server("ratings");
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("reviews", List.of(reviews.instance("reviews", Map.of("version", "v1"))))
        .set("ratings", List.of(ratings.instance("ratings", Map.of())));
    try (Mesh mesh = mesh("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 } }
              routes:
                - destinations:
                    - { subset: v1, weight: 70 }
                    - { service: ratings, weight: 30 }
        """, discovery)) {
      for (int i = 0; i < 2_000; i++) {
        try (Response r = get(mesh, "http://reviews/x")) {
          assertThat(r.code()).isEqualTo(200);
        }
      }
    }
    System.out.printf("cross-service split: reviews %d, ratings %d of 2000%n", reviews.requests.get(),
        ratings.requests.get());
    assertThat(reviews.requests.get() + ratings.requests.get()).isEqualTo(2_000);
    assertThat(ratings.requests.get() / 20.0).isCloseTo(30.0, org.assertj.core.data.Offset.offset(3.0));
  }

  @Test
  void theDestinationServicesRateLimitAppliesToCallsRoutedToIt() throws Exception {
    Server reviews = server("reviews");
    Server ratings = server("ratings");
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("reviews", List.of(reviews.instance("reviews", Map.of())))
        .set("ratings", List.of(ratings.instance("ratings", Map.of())));
    try (Mesh mesh = mesh("""
        mesh:
          services:
            ratings:
              rate-limit: { rate: 2/h }
            reviews:
              routes:
                - to: { service: ratings }
        """, discovery)) {
      assertThat(body(mesh, "http://reviews/a")).isEqualTo("ratings");
      assertThat(body(mesh, "http://ratings/a")).isEqualTo("ratings");
      assertThatThrownBy(() -> get(mesh, "http://reviews/a")).isInstanceOf(RateLimitExceededException.class)
          .hasMessageContaining("ratings");
    }
    assertThat(ratings.requests.get()).isEqualTo(2);
    assertThat(reviews.requests.get()).isZero();
  }

  @Test
  void requestHeadersAreRemovedSetAndAddedAndResponseHeadersChangedAsConfigured() throws Exception {
    Server reviews = server("reviews");
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(reviews.instance("reviews", Map.of())));
    try (Mesh mesh = mesh("""
        mesh:
          services:
            reviews:
              subsets: { all: {} }
              routes:
                - to: all
                  headers:
                    request:
                      remove: [x-debug]
                      set: { x-tenant: acme }
                      add: { x-via: mesh-client }
                    response:
                      remove: [x-internal]
                      set: { cache-control: no-store }
                      add: { x-route: default }
        """, discovery)) {
      try (Response r = get(mesh, "http://reviews/r/1", "x-debug", "1", "x-tenant", "other", "x-via", "app")) {
        assertThat(r.body().string()).isEqualTo("reviews");
        assertThat(r.header("x-internal")).isNull();
        assertThat(r.header("cache-control")).isEqualTo("no-store");
        assertThat(r.headers("x-route")).containsExactly("default");
        assertThat(r.header("x-backend")).isEqualTo("reviews");
      }
    }
    assertThat(reviews.header("x-debug")).isEmpty();
    assertThat(reviews.header("x-tenant")).containsExactly("acme");
    assertThat(reviews.header("x-via")).containsExactly("app", "mesh-client");
  }

  @Test
  void aPrefixRouteRewritesTheMatchedPrefixKeepsTheQueryAndSetsTheAuthority() throws Exception {
    Server reviews = server("reviews");
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(reviews.instance("reviews", Map.of())));
    try (Mesh mesh = mesh("""
        mesh:
          services:
            reviews:
              subsets: { all: {} }
              routes:
                - match: { path: { prefix: /v1/ } }
                  to: all
                  rewrite: { uri: /api/, authority: reviews.internal:9080 }
                - match: { path: { exact: /health } }
                  to: all
                  rewrite: { uri: /status }
        """, discovery)) {
      assertThat(body(mesh, "http://reviews/v1/items/7?x=1%202")).isEqualTo("reviews");
      assertThat(reviews.lastPath.get()).isEqualTo("/api/items/7?x=1%202");
      assertThat(reviews.header("host")).containsExactly("reviews.internal:9080");
      assertThat(body(mesh, "http://reviews/health")).isEqualTo("reviews");
      assertThat(reviews.lastPath.get()).isEqualTo("/status");
      assertThat(reviews.header("host")).containsExactly("127.0.0.1:" + reviews.http.getAddress().getPort());
    }
  }

  @Test
  void aRouteOrMirrorToAServiceNobodyKnowsIsRefusedWithDidYouMeanAndNothingIsApplied() throws Exception {
    Server reviews = server("reviews");
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("reviews", List.of(reviews.instance("reviews", Map.of())))
        .set("ratings", List.of(reviews.instance("ratings", Map.of())));
    String good = """
        mesh:
          services:
            ratings: {}
            reviews: {}
        """;
    try (Mesh mesh = mesh(good, discovery)) {
      assertThatThrownBy(() -> mesh.reconfigure(MeshConfig.fromYaml("""
          mesh:
            services:
              ratings: {}
              reviews:
                routes:
                  - to: { service: ratngs }
          """, name -> null)))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("mesh.services.reviews.routes[0].to.service: ratngs (expected: a mesh service")
          .hasMessageContaining("did you mean 'ratings'");
      // A mirror to such a name validated, then every copy was refused (or, with unknown-hosts: pass-through,
      // sent to whatever DNS made of the typo): it is refused as a destination is.
      assertThatThrownBy(() -> mesh.reconfigure(MeshConfig.fromYaml("""
          mesh:
            unknown-hosts: pass-through
            services:
              ratings: {}
              reviews:
                routes:
                  - to: { service: reviews }
                    mirror: { service: ratngs }
          """, name -> null)))
          .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
              "mesh.services.reviews.routes[0].mirror.service: ratngs (expected: a mesh service (configured under "
                  + "mesh.services or listed by a discovery); did you mean 'ratings'?)"));
      assertThat(mesh.config().service("reviews").routes()).isEmpty();
      assertThat(body(mesh, "http://reviews/a")).isEqualTo("reviews");
    }
  }

  @Test
  void badDestinationsHeadersAndRewritesAreAllReportedAtOnceWithTheirKeys() {
    assertThatThrownBy(() -> MeshConfig.fromYaml("""
        mesh:
          services:
            ratings:
              subsets: { v1: { version: v1 } }
            reviews:
              routes:
                - destinations:
                    - { service: ratings, subset: v9, weight: 1 }
                    - { service: Bad_Name, weight: 1 }
                  headers:
                    request:
                      set: { "bad header": x, Authorization: "Bearer s3cr3t\\n" }
                  rewrite: { uri: "no-slash", authority: "a b" }
                - to: v1
                  split: { v1: 1 }
        """, name -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.routes[0].destinations[0].subset: v9 (expected: one of the "
            + "subsets [v1])")
        .hasMessageContaining("mesh.services.reviews.routes[0].destinations[1].service: Bad_Name")
        .hasMessageContaining("mesh.services.reviews.routes[0].headers.request.set.bad header: bad header "
            + "(expected: a header name")
        .hasMessageContaining("mesh.services.reviews.routes[0].headers.request.set.Authorization: <redacted>")
        .hasMessageContaining("mesh.services.reviews.routes[0].rewrite.uri: no-slash (expected: a path starting")
        .hasMessageContaining("mesh.services.reviews.routes[0].rewrite.authority: a b (expected: a host")
        .hasMessageContaining("mesh.services.reviews.routes[1]: both to and split (expected: one destination")
        .message().doesNotContain("s3cr3t");
  }
}
