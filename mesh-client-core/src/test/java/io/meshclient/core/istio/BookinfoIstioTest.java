package io.meshclient.core.istio;

import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bookinfo's reviews (v1, v2, v3) and ratings (v1, v2) on real servers on 127.0.0.1, counted at the servers,
 * with their DestinationRule subsets, for tests that lay Istio YAML over them.
 */
abstract class BookinfoIstioTest {
  static final String DESTINATION_RULES = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: { name: reviews }
      spec:
        host: reviews
        subsets:
          - { name: v1, labels: { version: v1 } }
          - { name: v2, labels: { version: v2 } }
          - { name: v3, labels: { version: v3 } }
      ---
      apiVersion: networking.istio.io/v1beta1
      kind: DestinationRule
      metadata: { name: ratings, namespace: default }
      spec:
        host: ratings.default.svc.cluster.local
        subsets:
          - { name: v1, labels: { version: v1 } }
          - { name: v2, labels: { version: v2 } }
      """;

  /** A VirtualService for reviews: jason's calls to subset %s, the others to v1. */
  static final String JASON_TO = firstRouteTo("{ headers: { end-user: { exact: jason } } }",
      "{ host: reviews, subset: %s }");

  /** A VirtualService for reviews: the calls {@code match} holds for to {@code destination}, the others to v1. */
  static String firstRouteTo(String match, String destination) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [%s]
              route: [{ destination: %s }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """.formatted(match, destination);
  }

  @TempDir
  Path dir;
  private final List<LoopbackServer> servers = new ArrayList<>();
  LoopbackServer reviewsV1;
  LoopbackServer reviewsV2;
  LoopbackServer reviewsV3;
  LoopbackServer ratingsV1;
  LoopbackServer ratingsV2;
  InMemoryDiscovery discovery;

  @AfterEach
  void stopServers() {
    servers.forEach(LoopbackServer::close);
  }

  LoopbackServer server(String name) throws IOException {
    LoopbackServer s = new LoopbackServer(name);
    servers.add(s);
    return s;
  }

  void bookinfo() throws IOException {
    reviewsV1 = server("reviews-v1");
    reviewsV2 = server("reviews-v2");
    reviewsV3 = server("reviews-v3");
    ratingsV1 = server("ratings-v1");
    ratingsV2 = server("ratings-v2");
    discovery = new InMemoryDiscovery()
        .set("reviews", List.of(reviewsV1.instance("reviews", Map.of("version", "v1")),
            reviewsV2.instance("reviews", Map.of("version", "v2")),
            reviewsV3.instance("reviews", Map.of("version", "v3"))))
        .set("ratings", List.of(ratingsV1.instance("ratings", Map.of("version", "v1")),
            ratingsV2.instance("ratings", Map.of("version", "v2"))));
  }

  Mesh mesh(String istioYaml) throws IOException {
    Path file = dir.resolve("istio.yaml");
    Files.writeString(file, DESTINATION_RULES + "---\n" + istioYaml);
    return Mesh.builder().istioConfig(file).discovery("memory", discovery).random(new SplittableRandom(7)).build();
  }

  static Response get(Mesh mesh, String url, String... headers) throws IOException {
    Request.Builder request = new Request.Builder().url(url);
    for (int i = 0; i < headers.length; i += 2) {
      request.addHeader(headers[i], headers[i + 1]);
    }
    return mesh.httpClient().newCall(request.build()).execute();
  }

  static String body(Mesh mesh, String url, String... headers) throws IOException {
    try (Response r = get(mesh, url, headers)) {
      return r.code() + " " + r.body().string();
    }
  }

  /** Successful calls, so that the retry budget (20% of recent requests) has room for the retries tested. */
  static void warmUp(Mesh mesh, String url, LoopbackServer... servers) throws IOException {
    for (int i = 0; i < 30; i++) {
      body(mesh, url);
    }
    for (LoopbackServer s : servers) {
      s.requests.set(0);
    }
  }
}
