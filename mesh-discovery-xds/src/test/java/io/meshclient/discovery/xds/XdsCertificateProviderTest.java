package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.meshclient.api.MeshException;
import io.meshclient.api.PeerIdentityMismatchException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.tls.CountingTlsServer;
import io.meshclient.core.internal.tls.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's proxyless mTLS end to end: a bootstrap whose {@code certificate_providers} has a file_watcher
 * instance, a cluster (from java-control-plane on loopback) whose UpstreamTlsContext names it as Istio's
 * gRPC generator does, and an HTTPS backend on 127.0.0.1 that requires a client certificate.
 */
@Timeout(60)
class XdsCertificateProviderTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");
  static final String REVIEWS = "spiffe://cluster.local/ns/default/sa/reviews";

  @TempDir
  Path dir;

  ControlPlane controlPlane;
  CountingTlsServer backend;
  TestPki.Held ca;
  Path bootstrap;

  @BeforeEach
  void start() throws Exception {
    ca = TestPki.ca("cluster.local");
    TestPki.Held client = TestPki.leaf(ca, "productpage",
        new TestPki.Leaf().uri("spiffe://cluster.local/ns/default/sa/productpage"));
    TestPki.Held server = TestPki.leaf(ca, "reviews", new TestPki.Leaf().uri(REVIEWS));
    ca.writeCertificate(dir, "root-cert.pem");
    client.writeCertificate(dir, "cert-chain.pem");
    client.writeSec1Key(dir, "key.pem"); // EC PRIVATE KEY, as Istio's agent writes an ECDSA key
    // every request on a new connection, so each call is a handshake that shows the identity presented
    backend = new CountingTlsServer(server, ca, ca).requireClientCertificate().closeEvery(1);
    controlPlane = new ControlPlane();
    bootstrap = Files.writeString(dir.resolve("grpc-bootstrap.json"), """
        {"xds_servers": [{"server_uri": "%s", "channel_creds": [{"type": "insecure"}], "server_features": ["xds_v3"]}],
         "node": {"id": "sidecar~127.0.0.1~productpage-v1.default~default.svc.cluster.local"},
         "certificate_providers": {"default": {"plugin_name": "file_watcher", "config": {
           "certificate_file": "%s", "private_key_file": "%s", "ca_certificate_file": "%s", "refresh_interval": "900s"}}}}
        """.formatted(controlPlane.target(), dir.resolve("cert-chain.pem"), dir.resolve("key.pem"),
        dir.resolve("root-cert.pem")));
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    controlPlane.close();
  }

  Snapshot reviews(String version, String instance, String san) {
    return Resources.snapshot(version, List.of(listener("reviews:9080", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews"), Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1))),
        List.of(TlsMappingTest.withTls(Resources.cluster(V1), TlsMappingTest.istioMtls(instance, san))),
        List.of(endpoints(V1, backend.port())));
  }

  Mesh mesh() {
    return Mesh.builder().config(MeshConfig.builder().discovery("xds", Map.of("bootstrap", bootstrap.toString(),
        "services", Map.of("reviews", 9080), "initial-wait", "10s")).build()).build();
  }

  static String call(Mesh mesh) throws Exception {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
      return r.code() + " " + r.body().string();
    }
  }

  @Test
  void callsGoOverMutualTlsWithTheProvidersFilesAndARotatedCertificateIsPresentedOnTheNextConnection()
      throws Exception {
    controlPlane.set(reviews("1", "default", REVIEWS));
    try (Mesh mesh = mesh()) {
      assertThat(call(mesh)).isEqualTo("200 ok");
      assertThat(backend.clientSubjects()).containsOnly("CN=productpage");

      TestPki.Held rotated = TestPki.leaf(ca, "productpage-rotated",
          new TestPki.Leaf().uri("spiffe://cluster.local/ns/default/sa/productpage"));
      Thread.sleep(1_100); // the identity files are looked at, at most once a second, when a handshake starts
      rotated.writeSec1Key(dir, "key.pem");
      rotated.writeCertificate(dir, "cert-chain.pem");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!backend.clientSubjects().get(backend.clientSubjects().size() - 1).equals("CN=productpage-rotated")
          && System.nanoTime() < deadline) {
        assertThat(call(mesh)).isEqualTo("200 ok");
        Thread.sleep(100);
      }
      assertThat(call(mesh)).isEqualTo("200 ok");
      List<String> subjects = backend.clientSubjects();
      assertThat(subjects.get(subjects.size() - 1)).isEqualTo("CN=productpage-rotated");
    }
  }

  @Test
  void aServerWhoseSpiffeIdIsNotThePinnedSanGetsNoRequest() throws Exception {
    controlPlane.set(reviews("1", "default", "spiffe://cluster.local/ns/default/sa/ratings"));
    try (Mesh mesh = mesh()) {
      assertThatThrownBy(() -> call(mesh)).isInstanceOf(PeerIdentityMismatchException.class)
          .hasMessageContaining("spiffe://cluster.local/ns/default/sa/ratings").hasMessageContaining(REVIEWS);
      assertThat(backend.requests()).as("no request reached the server").isZero();
      assertThat(backend.bytesReceived()).as("not a byte of plaintext either").isZero();
    }
  }

  @Test
  void aClusterNamingAnInstanceTheBootstrapLacksIsNackedNamingTheField() throws Exception {
    controlPlane.set(reviews("1", "spire", REVIEWS));
    try (Mesh mesh = mesh()) {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (controlPlane.nacks().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(controlPlane.nacks()).isNotEmpty();
      assertThat(controlPlane.nacks().get(0).getErrorDetail().getMessage()).isEqualTo("cluster " + V1
          + ": transport_socket.typed_config.common_tls_context.combined_validation_context."
          + "validation_context_certificate_provider_instance.instance_name: spire (expected: a certificate provider "
          + "instance of the bootstrap's certificate_providers (one of [default]))");
      assertThatThrownBy(() -> call(mesh)).as("nothing accepted: the service is not described")
          .isInstanceOf(MeshException.class);
      assertThat(backend.requests()).isZero();
    }
  }
}
