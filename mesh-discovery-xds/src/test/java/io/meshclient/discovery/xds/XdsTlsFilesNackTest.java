package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.endpoints;
import static io.meshclient.discovery.xds.Resources.istio;
import static io.meshclient.discovery.xds.Resources.listener;
import static io.meshclient.discovery.xds.Resources.routes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.tls.CountingTlsServer;
import io.meshclient.core.internal.tls.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose TLS files do not load (a certificate provider instance whose key is not its
 * certificate's, or whose files are missing) is NACKed naming the cluster, the field and the file, as
 * Envoy rejects a cluster whose transport socket it cannot build: the configuration accepted before keeps
 * serving, and calls to a cluster with no good version fail naming the problem rather than with a
 * handshake error.
 */
@Timeout(30)
class XdsTlsFilesNackTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");
  static final String REVIEWS = "spiffe://cluster.local/ns/default/sa/reviews";
  static final String IDENTITY_FIELD =
      "transport_socket.typed_config.common_tls_context.tls_certificate_certificate_provider_instance.instance_name";

  @TempDir
  Path dir;

  ControlPlane controlPlane;
  CountingTlsServer backend;
  TestPki.Held ca;
  TestPki.Held client;
  Path bootstrap;

  @BeforeEach
  void start() throws Exception {
    ca = TestPki.ca("cluster.local");
    client = TestPki.leaf(ca, "productpage", new TestPki.Leaf().uri("spiffe://cluster.local/ns/default/sa/productpage"));
    TestPki.Held server = TestPki.leaf(ca, "reviews", new TestPki.Leaf().uri(REVIEWS));
    ca.writeCertificate(dir, "root-cert.pem");
    client.writeCertificate(dir, "cert-chain.pem");
    client.writeSec1Key(dir, "key.pem");
    Files.createDirectories(dir.resolve("rotated"));
    // every request on a new connection, so each call is a handshake made with the TLS settings in force
    backend = new CountingTlsServer(server, ca, ca).requireClientCertificate().closeEvery(1);
    controlPlane = new ControlPlane();
    // "rotated" is an instance whose files the agent has not written (yet)
    bootstrap = Files.writeString(dir.resolve("grpc-bootstrap.json"), """
        {"xds_servers": [{"server_uri": "%s", "channel_creds": [{"type": "insecure"}], "server_features": ["xds_v3"]}],
         "node": {"id": "sidecar~127.0.0.1~productpage-v1.default~default.svc.cluster.local"},
         "certificate_providers": {
           "default": {"plugin_name": "file_watcher", "config": {
             "certificate_file": "%s", "private_key_file": "%s", "ca_certificate_file": "%s"}},
           "rotated": {"plugin_name": "file_watcher", "config": {
             "certificate_file": "%s", "private_key_file": "%s", "ca_certificate_file": "%s"}}}}
        """.formatted(controlPlane.target(), dir.resolve("cert-chain.pem"), dir.resolve("key.pem"),
        dir.resolve("root-cert.pem"), dir.resolve("rotated/cert-chain.pem"), dir.resolve("rotated/key.pem"),
        dir.resolve("root-cert.pem")));
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    controlPlane.close();
  }

  Snapshot reviews(String version, String instance) {
    return Resources.snapshot(version, List.of(listener("reviews:9080", "reviews-routes")),
        List.of(routes("reviews-routes", List.of("reviews"), Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1))),
        List.of(TlsMappingTest.withTls(Resources.cluster(V1), TlsMappingTest.istioMtls(instance, REVIEWS))),
        List.of(endpoints(V1, backend.port())));
  }

  Mesh mesh() {
    return Mesh.builder().config(MeshConfig.builder().discovery("xds", Map.of("bootstrap", bootstrap.toString(),
        "services", Map.of("reviews", 9080), "initial-wait", "5s")).build()).build();
  }

  static String call(Mesh mesh) throws Exception {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
      return r.code() + " " + r.body().string();
    }
  }

  /** The first request of {@code type} that {@code test} accepts, waiting up to 5 s for it. */
  DiscoveryRequest awaitRequest(String type, Predicate<DiscoveryRequest> test) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (DiscoveryRequest r : controlPlane.requests()) {
        if (r.getTypeUrl().endsWith(type) && test.test(r)) {
          return r;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no such " + type + " request in " + controlPlane.requests());
  }

  String awaitCdsNack() throws InterruptedException {
    return awaitRequest("Cluster", DiscoveryRequest::hasErrorDetail).getErrorDetail().getMessage();
  }

  void awaitCdsAck(String version) throws InterruptedException {
    awaitRequest("Cluster", r -> !r.hasErrorDetail() && r.getVersionInfo().equals(version));
  }

  boolean cdsAcked(String version) {
    return controlPlane.requests().stream().anyMatch(r -> r.getTypeUrl().endsWith("Cluster") && !r.hasErrorDetail()
        && r.getVersionInfo().equals(version));
  }

  @Test
  void aClusterUpdateNamingAProviderWhoseFilesAreMissingIsNackedAndTheAcceptedOneKeepsServingOverMutualTls()
      throws Exception {
    controlPlane.set(reviews("1", "default"));
    try (Mesh mesh = mesh()) {
      assertThat(call(mesh)).isEqualTo("200 ok");

      controlPlane.set(reviews("2", "rotated"));

      assertThat(awaitCdsNack()).isEqualTo("cluster " + V1 + ": " + IDENTITY_FIELD + ": rotated: certificate_file: "
          + "file:" + dir.resolve("rotated/cert-chain.pem")
          + " (expected: a readable PEM certificate chain, leaf first (no such file))");
      assertThat(call(mesh)).isEqualTo("200 ok");
      assertThat(backend.clientSubjects()).containsExactly("CN=productpage", "CN=productpage");
      assertThat(cdsAcked("2")).isFalse();
    }
  }

  @Test
  void aFirstClusterWhosePrivateKeyIsNotItsCertificatesIsNackedAndCallsFailNamingTheProblem() throws Exception {
    TestPki.leaf(ca, "other", new TestPki.Leaf()).writeSec1Key(dir, "key.pem"); // the key of another certificate
    controlPlane.set(reviews("1", "default"));
    try (Mesh mesh = mesh()) {
      String detail = awaitCdsNack();
      assertThat(detail).isEqualTo("cluster " + V1 + ": " + IDENTITY_FIELD + ": default: private_key_file: file:"
          + dir.resolve("key.pem") + " (expected: a readable PEM PKCS#8 private key matching the certificate (the "
          + "private key (EC) is not the key of the certificate CN=productpage (EC)))");
      assertThat(cdsAcked("1")).isFalse();

      assertThatThrownBy(() -> call(mesh)).isInstanceOf(NoHealthyInstanceException.class)
          .hasMessage("no healthy instance of service 'reviews' in subset 'v1': cluster " + V1 + " has no accepted "
              + "version: the control plane sent an invalid one (CDS version 1, NACKed): " + detail);
      assertThat(backend.requests()).isZero();
    }
  }

  @Test
  void aClusterWhoseTlsIsUnchangedIsAckedWhileItsFilesAreMidRotationAndKeepsTheIdentityInUse() throws Exception {
    controlPlane.set(reviews("1", "default"));
    try (Mesh mesh = mesh()) {
      assertThat(call(mesh)).isEqualTo("200 ok");
      Thread.sleep(1_100); // the identity files are looked at, at most once a second, when a handshake starts
      TestPki.leaf(ca, "half-written", new TestPki.Leaf()).writeSec1Key(dir, "key.pem"); // the key, not yet the chain

      controlPlane.set(Resources.snapshot("2", List.of(listener("reviews:9080", "reviews-routes")),
          List.of(routes("reviews-routes", List.of("reviews"), Resources.to(RouteMatch.newBuilder().setPrefix("/").build(), V1))),
          List.of(TlsMappingTest.withTls(Resources.cluster(V1).toBuilder()
              .setLbPolicy(io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.LEAST_REQUEST).build(),
              TlsMappingTest.istioMtls("default", REVIEWS))),
          List.of(endpoints(V1, backend.port()))));

      awaitCdsAck("2");
      assertThat(controlPlane.nacks()).isEmpty();
      assertThat(call(mesh)).isEqualTo("200 ok");
      assertThat(backend.clientSubjects()).containsExactly("CN=productpage", "CN=productpage");
    }
  }

  @Test
  void onceTheFilesAreFixedTheResentClusterIsAckedAndServed() throws Exception {
    TestPki.leaf(ca, "other", new TestPki.Leaf()).writeSec1Key(dir, "key.pem");
    controlPlane.set(reviews("1", "default"));
    try (Mesh mesh = mesh()) {
      awaitCdsNack();

      client.writeSec1Key(dir, "key.pem");
      controlPlane.set(reviews("2", "default"));

      awaitCdsAck("2");
      // the cluster's endpoints are asked for once it is accepted (no wildcard brought them before); its instances
      // and its TLS settings apply in one swap
      Load.await(() -> !mesh.instances("reviews").isEmpty() && mesh.config().service("reviews").tls() != null,
          Duration.ofSeconds(10), "the cluster's endpoints and TLS settings applied");
      assertThat(call(mesh)).isEqualTo("200 ok");
      assertThat(backend.clientSubjects()).containsOnly("CN=productpage");
    }
  }
}
