package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Mesh#handles} answers what the mesh's own client does: true for every host the mesh routes or
 * refuses, false exactly for the hosts it passes through to DNS. Checked host by host against the client,
 * whose resolver records each lookup (and fails it), with a loopback backend behind the services.
 */
@Timeout(30)
class MeshHandlesTest {
  @TempDir
  Path dir;

  @Test
  void handlesIsTrueExactlyForTheHostsTheMeshsClientKeepsFromDns() throws Exception {
    List<String> lookups = new CopyOnWriteArrayList<>();
    OkHttpClient base = new OkHttpClient.Builder().dns(host -> {
      lookups.add(host);
      throw new UnknownHostException(host + " (test resolver)");
    }).build();
    Path istio = dir.resolve("istio.yaml");
    Files.writeString(istio, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
        """);
    try (Backend backend = new Backend("reviews");
        Mesh mesh = Mesh.builder().okHttpClient(base).istioConfig(istio)
            .discovery("memory", new InMemoryDiscovery()
                .set("reviews", List.of(backend.instance("reviews", Map.of())))
                .set("ratings", List.of(backend.instance("ratings", Map.of()))))
            .build()) {
      Map<String, Boolean> expected = Map.ofEntries(
          Map.entry("reviews", true),
          Map.entry("ratings", true), // listed by the discovery only
          Map.entry("REVIEWS", true),
          Map.entry("reviews.default", true),
          Map.entry("reviews.default.svc.cluster.local", true),
          Map.entry("Reviews.Default.SVC.cluster.local", true),
          Map.entry("reviewz", true), // refused: a single-label name that is no service
          Map.entry("details.default.svc.cluster.local", true), // refused: a cluster name of no service
          Map.entry("example.com", false),
          Map.entry("localhost", false),
          Map.entry("127.0.0.2", false));
      expected.forEach((host, handled) -> {
        lookups.clear();
        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://" + host + ":1/x").build())
            .execute()) {
          assertThat(r.code()).as(host).isEqualTo(200);
        } catch (IOException e) {
          // refused by the mesh, or a failed lookup, or nothing listening
        }
        boolean keptFromDns = lookups.isEmpty() && !host.equals("127.0.0.2");
        assertThat(keptFromDns).as("%s kept from DNS by the mesh's client", host).isEqualTo(handled);
        assertThat(mesh.handles(host)).as("handles(%s)", host).isEqualTo(handled);
      });
      assertThat(backend.requests()).isEqualTo(6);
    }
  }
}
