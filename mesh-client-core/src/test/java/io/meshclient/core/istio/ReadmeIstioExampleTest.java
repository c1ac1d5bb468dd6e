package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.IstioOptions;
import io.meshclient.core.config.IstioReport;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's Java example of "Istio resources" run as written: a watched mesh.yaml (a rate limit), a
 * directory of Istio files (ServiceEntry, DestinationRule, VirtualService) and options, with the load
 * report listing the field the mesh does not implement.
 */
@Timeout(60)
class ReadmeIstioExampleTest extends LoopbackIstioTest {
  @Test
  void theReadmeBuilderRoutesByTheIstioFilesAndReportsWhatItDoesNotImplement() throws Exception {
    LoopbackServer v1 = server("v1");
    LoopbackServer v2 = server("v2");
    Path meshYaml = Files.writeString(dir.resolve("mesh.yaml"), """
        mesh:
          services:
            reviews: { rate-limit: { rate: 200/s, burst: 50 } }
        """);
    Path istio = Files.createDirectory(dir.resolve("istio"));
    Files.writeString(istio.resolve("reviews.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: { name: reviews, namespace: default }
        spec:
          hosts: [reviews]
          resolution: STATIC
          ports: [{ number: %d, name: http, protocol: HTTP }]
          endpoints:
            - { address: 127.0.0.1, labels: { version: v1 } }
            - { address: 127.0.0.1, ports: { http: %d }, labels: { version: v2 } }
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: default }
        spec:
          host: reviews
          trafficPolicy: { connectionPool: { http: { maxRequestsPerConnection: 1 } } }
          subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews, namespace: default }
        spec:
          hosts: [reviews]
          exportTo: ["."]
          http:
            - match: [{ headers: { end-user: { exact: jason } } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """.formatted(v1.port(), v2.port()));

    Mesh mesh = Mesh.builder()
        .watchConfigFile(meshYaml)
        .istioConfig(istio)
        .istioOptions(IstioOptions.DEFAULT.withNamespace("default").withDomain("cluster.local"))
        .build();
    try (mesh) {
      assertThat(call(mesh, "jason")).isEqualTo("v2");
      assertThat(call(mesh, null)).isEqualTo("v1");
      assertThat(mesh.istioReport().unsupported()).extracting(IstioReport.Unsupported::field)
          .containsExactly("spec.trafficPolicy.connectionPool.http.maxRequestsPerConnection");
      mesh.istioReport().unsupported().forEach(u -> assertThat(u.toString()).contains("maxRequestsPerConnection"));
    }
  }

  private static String call(Mesh mesh, String user) throws Exception {
    Request.Builder request = new Request.Builder().url("http://reviews/api/reviews/1");
    if (user != null) {
      request.header("end-user", user);
    }
    try (Response response = mesh.httpClient().newCall(request.build()).execute()) {
      return response.body().string();
    }
  }
}
