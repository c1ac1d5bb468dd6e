package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Value;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.Providers;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.tls.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC's bootstrap format and the mesh settings of the xds discovery. */
class XdsSettingsTest {
  static final String ISTIO_BOOTSTRAP = """
      {
        "xds_servers": [{
          "server_uri": "unix:///etc/istio/proxy/XDS",
          "channel_creds": [{"type": "insecure"}],
          "server_features": ["xds_v3"]
        }],
        "node": {
          "id": "sidecar~10.0.0.7~productpage-v1-abc.default~default.svc.cluster.local",
          "metadata": {"GENERATOR": "grpc", "INSTANCE_IPS": "10.0.0.7", "NAMESPACE": "default", "LABELS": {"app": "productpage"}},
          "locality": {"region": "eu-west1", "zone": "eu-west1-b"}
        },
        "certificate_providers": {"default": {"plugin_name": "file_watcher", "config": {
          "certificate_file": "/var/lib/istio/data/cert-chain.pem", "private_key_file": "/var/lib/istio/data/key.pem",
          "ca_certificate_file": "/var/lib/istio/data/root-cert.pem", "refresh_interval": "900s"}}}
      }
      """;

  @TempDir
  Path dir;

  @Test
  void istiosInjectedBootstrapIsReadFromTheFileGrpcXdsBootstrapNames() throws Exception {
    Path file = Files.writeString(dir.resolve("grpc-bootstrap.json"), ISTIO_BOOTSTRAP);
    XdsSettings settings = XdsSettings.read("mesh.discovery.xds", Map.of("services", Map.of("reviews", 9080)),
        name -> name.equals("GRPC_XDS_BOOTSTRAP") ? file.toString() : null);

    Bootstrap b = settings.bootstrap();
    assertThat(b.serverUri()).isEqualTo("unix:///etc/istio/proxy/XDS");
    assertThat(b.channel().tls()).isFalse();
    assertThat(b.node().getId()).isEqualTo("sidecar~10.0.0.7~productpage-v1-abc.default~default.svc.cluster.local");
    assertThat(b.node().getMetadata().getFieldsMap()).containsEntry("GENERATOR", Value.newBuilder().setStringValue("grpc").build());
    assertThat(b.node().getMetadata().getFieldsOrThrow("LABELS").getStructValue().getFieldsOrThrow("app").getStringValue())
        .isEqualTo("productpage");
    assertThat(b.node().getLocality().getZone()).isEqualTo("eu-west1-b");
    assertThat(b.certificateProviders()).containsExactly(Map.entry("default", new Bootstrap.CertificateProvider(
        Path.of("/var/lib/istio/data/cert-chain.pem"), Path.of("/var/lib/istio/data/key.pem"),
        Path.of("/var/lib/istio/data/root-cert.pem"), Duration.ofSeconds(900))));
    assertThat(settings.listeners()).containsExactly(Map.entry("reviews", "reviews:9080"));
    assertThat(settings.initialWait()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.resourceTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(settings.reconnect()).isEqualTo(Backoff.DEFAULT);
  }

  @Test
  void theBootstrapSettingTakesAFileLocationAsConsulAndKubernetesFileSettingsDo() throws Exception {
    Path file = Files.writeString(dir.resolve("grpc-bootstrap.json"), ISTIO_BOOTSTRAP);

    XdsSettings byLocation = XdsSettings.read("mesh.discovery.xds", Map.of("bootstrap", "file:" + file), name -> null);

    assertThat(byLocation.serverUri()).isEqualTo("unix:///etc/istio/proxy/XDS");
    assertThat(byLocation.bootstrap())
        .isEqualTo(XdsSettings.read("mesh.discovery.xds", Map.of("bootstrap", file.toString()), name -> null).bootstrap());
    assertThatThrownBy(() -> XdsSettings.read("mesh.discovery.xds", Map.of("bootstrap", "file:/etc/\0x"), name -> null))
        .hasMessage("mesh.discovery.xds.bootstrap: file:/etc/\\u0000x (expected: a file path)");
  }

  @Test
  void bootstrapJsonIsReadFromGrpcXdsBootstrapConfigWithMutualTlsAndATokenFile() throws Exception {
    TestPki.Held ca = TestPki.ca("cluster.local");
    TestPki.Held client = TestPki.leaf(ca, "productpage", new TestPki.Leaf());
    Path caFile = ca.writeCertificate(dir, "ca.pem");
    Path certFile = client.writeCertificate(dir, "cert.pem");
    Path keyFile = client.writeKey(dir, "key.pem");
    String json = """
        {"xds_servers": [{"server_uri": "istiod.istio-system.svc:15012",
          "channel_creds": [{"type": "google_default"}, {"type": "tls", "config": {
            "ca_certificate_file": "%s", "certificate_file": "%s", "private_key_file": "%s"}}],
          "call_creds": [{"type": "jwt_token_file", "config": {"jwt_token_file": "/var/run/secrets/tokens/istio-token"}}],
          "server_features": ["ignore_resource_deletion"]}],
         "node": {"id": "n1", "cluster": "reviews"}}
        """.formatted(caFile, certFile, keyFile);
    XdsSettings settings = XdsSettings.read("mesh.discovery.xds", Map.of(),
        name -> name.equals("GRPC_XDS_BOOTSTRAP_CONFIG") ? json : null);

    Bootstrap b = settings.bootstrap();
    assertThat(b.channel()).isEqualTo(new Bootstrap.Channel(true, caFile, certFile, keyFile));
    assertThat(b.channel()).hasToString("mtls");
    assertThat(b.tokenFile()).isEqualTo(Path.of("/var/run/secrets/tokens/istio-token"));
    assertThat(b.ignoreResourceDeletion()).isTrue();
    assertThat(b.node().getCluster()).isEqualTo("reviews");
    assertThat(settings).hasToString("XdsSettings{server=istiod.istio-system.svc:15012, channel=mtls, node=n1, listeners={}}");
  }

  @Test
  void meshSettingsStandInForABootstrap() {
    XdsSettings settings = XdsSettings.read("mesh.discovery.xds", Map.of("server-uri", "127.0.0.1:15010",
        "node-id", "n1", "services", Map.of("ratings", "ratings.default.svc.cluster.local:9080"),
        "resource-timeout", "2s", "reconnect", Map.of("initial", "500ms", "multiplier", "2", "max", "30s")), name -> null);

    assertThat(settings.serverUri()).isEqualTo("127.0.0.1:15010");
    assertThat(settings.listeners()).containsExactly(Map.entry("ratings", "ratings.default.svc.cluster.local:9080"));
    assertThat(settings.resourceTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.reconnect()).isEqualTo(new Backoff(Duration.ofMillis(500), 2, Duration.ofSeconds(30)));
  }

  @Test
  void badSettingsAreAllNamedWithTheirKeys() {
    assertThatThrownBy(() -> XdsSettings.read("mesh.discovery.xds", Map.of("server-uri", "127.0.0.1:15010",
        "services", Map.of("reviews", "99999"), "initial-wait", "forever", "reconnect", Map.of("initial", "5s", "max", "1s"),
        "serverUri2", "x"), name -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.discovery.xds.serverUri2: unknown key")
        .hasMessageContaining("mesh.discovery.xds.services.reviews: 99999 (expected: a port 1..65535 or host:port)")
        .hasMessageContaining("mesh.discovery.xds.initial-wait: forever (expected: a duration such as 300ms")
        .hasMessageContaining("mesh.discovery.xds.reconnect.max: 1s (expected: >= mesh.discovery.xds.reconnect.initial (5s))")
        .hasMessageContaining("mesh.discovery.xds.node-id: missing (expected: the node id sent to the xDS server)");
  }

  @Test
  void serviceNamesNoMeshServiceCanHaveAndTargetsWithUserInfoOrAQueryAreRefusedWithoutShowingTheSecret() {
    Map<String, Object> services = new TreeMap<>(Map.of("bad name", 9080, "Reviews", 9080,
        "ratings", "dns://user:secret@istiod:15010", "details", "details:9080?token=s3cret",
        "productpage", "http://productpage:9080"));
    assertThatThrownBy(() -> XdsSettings.read("mesh.discovery.xds", Map.of("server-uri", "127.0.0.1:15010",
        "node-id", "n1", "services", services), name -> null))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.xds.services.Reviews: Reviews (expected: a lower-case host name: letters, digits, '-' and '.')",
            "mesh.discovery.xds.services.bad name: bad name (expected: a lower-case host name: letters, digits, '-' "
                + "and '.')",
            "mesh.discovery.xds.services.details: details:9080?<redacted> (expected: a port 1..65535 or host:port)",
            "mesh.discovery.xds.services.productpage: http://productpage:9080 (expected: a port 1..65535 or host:port)",
            "mesh.discovery.xds.services.ratings: <redacted> (expected: a port 1..65535 or host:port)"))
        .hasMessageNotContaining("secret")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void relaxedSpellingsAreReadInTheReconnectBlockToo() {
    XdsSettings settings = XdsSettings.read("mesh.discovery.xds", Map.of("serverUri", "127.0.0.1:15010",
        "NODE_ID", "n1", "initialWait", "2s", "Reconnect", Map.of("Initial", "5s", "MULTIPLIER", "2", "max", "1m")),
        name -> null);

    assertThat(settings.serverUri()).isEqualTo("127.0.0.1:15010");
    assertThat(settings.nodeId()).isEqualTo("n1");
    assertThat(settings.initialWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.reconnect()).isEqualTo(new Backoff(Duration.ofSeconds(5), 2, Duration.ofMinutes(1)));
  }

  @Test
  void dottedKeysAreReadAsTheirBlock() {
    XdsSettings settings = XdsSettings.read("mesh.discovery.xds", Map.of("server-uri", "127.0.0.1:15010",
        "node-id", "n1", "reconnect.initial", "250ms", "reconnect.multiplier", 1.25), name -> null);

    assertThat(settings.reconnect()).isEqualTo(new Backoff(Duration.ofMillis(250), 1.25, Backoff.DEFAULT.max()));
  }

  @Test
  void aKeyGivenInTwoSpellingsIsRefusedNamingBoth() {
    assertThatThrownBy(() -> XdsSettings.read("mesh.discovery.xds", new java.util.TreeMap<>(Map.of("server-uri",
        "127.0.0.1:15010", "node-id", "n1", "initial-wait", "1s", "initialWait", "2s",
        "reconnect", Map.of("max", "10s", "MAX", "20s"))), name -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.discovery.xds.initialWait: set twice (expected: one spelling of "
            + "mesh.discovery.xds.initial-wait)")
        .hasMessageMatching("(?s).*mesh\\.discovery\\.xds\\.reconnect\\.(max|MAX): set twice \\(expected: one spelling "
            + "of mesh\\.discovery\\.xds\\.reconnect\\.max\\).*");
  }

  @Test
  void anUnknownKeyIsRefusedListingTheKnownOnesAndTheLikelyOne() {
    assertThatThrownBy(() -> XdsSettings.read("mesh.discovery.xds", Map.of("server-uri", "127.0.0.1:15010",
        "node-id", "n1", "resource-timout", "2s", "reconnect", Map.of("multiplyer", 2)), name -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.discovery.xds.resource-timout: unknown key (expected: one of bootstrap, "
            + "initial-wait, keepalive.time, keepalive.timeout, node-cluster, node-id, reconnect.initial, reconnect.max, reconnect.multiplier, "
            + "resource-timeout, server-uri, services; did you mean 'resource-timeout'?)")
        .hasMessageContaining("mesh.discovery.xds.reconnect.multiplyer: unknown key (expected: one of bootstrap, ")
        .hasMessageContaining("did you mean 'reconnect.multiplier'?)")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("2s"));
  }

  @Test
  void aMultiplierThatIsNotANumberFromOneToTenIsRefused() {
    for (Object bad : java.util.List.of("fast", "NaN", "0.5", 10.5, "1.6d")) {
      assertThatThrownBy(() -> XdsSettings.read("mesh.discovery.xds", Map.of("server-uri", "127.0.0.1:15010",
          "node-id", "n1", "reconnect", Map.of("multiplier", bad)), name -> null))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("mesh.discovery.xds.reconnect.multiplier: " + bad + " (expected: a number from 1 to 10)");
    }
  }

  @Test
  void outOfRangeDurationsNameTheFullKeyAndTheRange() {
    assertThatThrownBy(() -> XdsSettings.read("mesh.discovery.xds", Map.of("server-uri", "127.0.0.1:15010",
        "node-id", "n1", "initial-wait", "6m", "resource-timeout", "10ms",
        "reconnect", Map.of("initial", "1ms", "max", "2h"), "keepalive", Map.of("time", "1s", "timeout", "50ms")),
        name -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.discovery.xds.initial-wait: 6m (expected: between 0ms and 5m)")
        .hasMessageContaining("mesh.discovery.xds.resource-timeout: 10ms (expected: between 100ms and 10m)")
        .hasMessageContaining("mesh.discovery.xds.reconnect.initial: 1ms (expected: between 10ms and 10m)")
        .hasMessageContaining("mesh.discovery.xds.reconnect.max: 2h (expected: between 10ms and 1h)")
        .hasMessageContaining("mesh.discovery.xds.keepalive.time: 1s (expected: between 10s and 2h)")
        .hasMessageContaining("mesh.discovery.xds.keepalive.timeout: 50ms (expected: between 100ms and 10m)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> XdsSettings.read("mesh.discovery.xds", Map.of("bootstrap", "/etc/b.json",
        "server-uri", "127.0.0.1:15010", "services", "reviews", "initial-wait", "-1s", "resource-timeout", "1h",
        "reconnect", "fast", "Bootstarp", "x"), name -> null))
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactlyInAnyOrder(
            "mesh.discovery.xds.Bootstarp: unknown key (expected: one of bootstrap, initial-wait, keepalive.time, "
                + "keepalive.timeout, node-cluster, node-id, reconnect.initial, reconnect.max, reconnect.multiplier, resource-timeout, server-uri, "
                + "services; did you mean 'bootstrap'?)",
            "mesh.discovery.xds.reconnect: fast (expected: a map with initial, multiplier, max)",
            "mesh.discovery.xds.services: reviews (expected: a map of service name to port or host:port)",
            "mesh.discovery.xds.initial-wait: -1s (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S)",
            "mesh.discovery.xds.resource-timeout: 1h (expected: between 100ms and 10m)",
            "mesh.discovery.xds.server-uri: 127.0.0.1:15010 (expected: not set together with "
                + "mesh.discovery.xds.bootstrap)"));
  }

  @Test
  void theDeclarationsHoldTheDefaultsTheReaderApplies() {
    XdsSettings settings = XdsSettings.read("mesh.discovery.xds", Map.of("server-uri", "127.0.0.1:15010",
        "node-id", "n1"), name -> null);

    assertThat(new XdsDiscoveryProvider().settings()).isSameAs(XdsKeys.SETTINGS);
    assertThat(XdsKeys.INITIAL_WAIT.defaultDuration()).isEqualTo(settings.initialWait());
    assertThat(XdsKeys.RESOURCE_TIMEOUT.defaultDuration()).isEqualTo(settings.resourceTimeout());
    assertThat(settings.reconnect()).isEqualTo(Backoff.DEFAULT).isEqualTo(new Backoff(
        XdsKeys.RECONNECT_INITIAL.defaultDuration(), XdsKeys.RECONNECT_MULTIPLIER.defaultDecimal(),
        XdsKeys.RECONNECT_MAX.defaultDuration()));
    assertThat(XdsKeys.RECONNECT_MULTIPLIER.defaultValue()).isEqualTo("1.6");
  }

  @Test
  void withoutABootstrapTheErrorSaysWhereOneIsLookedFor() {
    assertThatThrownBy(() -> XdsSettings.read("mesh.discovery.xds", Map.of(), name -> null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.discovery.xds.bootstrap: not set (expected: a gRPC xDS bootstrap file, "
            + "mesh.discovery.xds.server-uri, or the environment variable GRPC_XDS_BOOTSTRAP or GRPC_XDS_BOOTSTRAP_CONFIG)");
  }

  @Test
  void anIncompleteBootstrapNamesEachMissingField() {
    assertThatThrownBy(() -> BootstrapReader.read("GRPC_XDS_BOOTSTRAP_CONFIG",
        "{\"xds_servers\": [{\"channel_creds\": [{\"type\": \"alts\"}]}], \"node\": {}}"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("GRPC_XDS_BOOTSTRAP_CONFIG: xds_servers[0].server_uri: missing")
        .hasMessageContaining("GRPC_XDS_BOOTSTRAP_CONFIG: xds_servers[0].channel_creds: [alts] (expected: one of the types insecure, tls)")
        .hasMessageContaining("GRPC_XDS_BOOTSTRAP_CONFIG: node.id: missing");
  }

  @Test
  void bootstrapJsonThatDoesNotParseIsRefusedByLineAndColumnWithoutTheValueItCouldNotRead() {
    assertThatThrownBy(() -> BootstrapReader.read("GRPC_XDS_BOOTSTRAP_CONFIG",
        "{\"node\": {\"id\": \"productpage\",\n \"metadata\": {\"TOKEN\": eyJhbGciOiJSUzI1NiJ9s3cret}}}"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("GRPC_XDS_BOOTSTRAP_CONFIG: not JSON (expected: gRPC's xDS bootstrap JSON (line 2, column 24: "
            + "Unrecognized token: was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')))")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> BootstrapReader.read("GRPC_XDS_BOOTSTRAP_CONFIG", "{\"node\": {\"id\": 123456789012345678901234567890e999999999999}}"))
        .hasMessageNotContaining("123456789");
  }

  @Test
  void aCertificateProviderOtherThanFileWatcherOrMissingAFileIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> BootstrapReader.read("GRPC_XDS_BOOTSTRAP_CONFIG", """
        {"xds_servers": [{"server_uri": "127.0.0.1:15010", "channel_creds": [{"type": "insecure"}]}], "node": {"id": "n1"},
         "certificate_providers": {
           "spire": {"plugin_name": "spiffe_workload_api", "config": {}},
           "default": {"plugin_name": "file_watcher", "config": {"certificate_file": "/etc/cert.pem",
             "ca_certificate_file": "/etc/ca.pem", "refresh_interval": "soon"}}}}
        """))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("GRPC_XDS_BOOTSTRAP_CONFIG: certificate_providers.spire.plugin_name: spiffe_workload_api "
            + "(expected: file_watcher, the only certificate provider plugin gRPC and this mesh have)")
        .hasMessageContaining("GRPC_XDS_BOOTSTRAP_CONFIG: certificate_providers.default.config.private_key_file: missing "
            + "(expected: the path of the PEM private key file)")
        .hasMessageContaining("GRPC_XDS_BOOTSTRAP_CONFIG: certificate_providers.default.config.refresh_interval: soon "
            + "(expected: a duration in seconds such as 600s, from 1s to 86400s)");
  }

  @Test
  void aBootstrapFileNamingNoPathIsRefusedWhenTheMeshBuildsNamingTheKey(@TempDir Path dir) throws Exception {
    Path bootstrap = Files.writeString(dir.resolve("bootstrap.json"), """
        {"xds_servers": [{"server_uri": "127.0.0.1:15010", "channel_creds": [{"type": "insecure"}],
           "call_creds": [{"type": "jwt_token_file", "config": {"jwt_token_file": "/var/run/\\u0000token"}}]}],
         "node": {"id": "n1"},
         "certificate_providers": {"default": {"plugin_name": "file_watcher", "config": {
           "certificate_file": "/etc/certs/\\u0000cert.pem", "private_key_file": "/etc/certs/key.pem",
           "ca_certificate_file": "/etc/certs/root-cert.pem"}}}}
        """);
    MeshConfig config = MeshConfig.builder().discovery("xds", Map.of("bootstrap", bootstrap.toString(),
        "services", Map.of("reviews", 9080))).build();

    assertThatThrownBy(() -> Mesh.builder().config(config).build()).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.discovery.xds.bootstrap (" + bootstrap + "): certificate_providers.default.config"
            + ".certificate_file: /etc/certs/\\u0000cert.pem (expected: a file path (Nul character not allowed))")
        .hasMessageContaining("mesh.discovery.xds.bootstrap (" + bootstrap + "): xds_servers[0].call_creds"
            + ".jwt_token_file.config.jwt_token_file: /var/run/\\u0000token (expected: a file path (Nul character not "
            + "allowed))");
  }

  /** A bootstrap "file" that never ends ({@code /dev/zero}, size 0 on paper) was read whole, into OutOfMemoryError. */
  @Test
  void aBootstrapFileThatNeverEndsIsRefusedNotReadWhole() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/dev/zero")), "/dev/zero");
    MeshConfig config = MeshConfig.builder().discovery("xds", Map.of("bootstrap", "/dev/zero",
        "services", Map.of("reviews", 9080))).build();
    assertThatThrownBy(() -> Mesh.builder().config(config).build()).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.discovery.xds.bootstrap: /dev/zero (expected: a bootstrap file under 1 MiB)");
  }

  @Test
  void theProviderIsFoundByName() {
    assertThat(Providers.discovery("xds", "mesh.discovery.xds", getClass().getClassLoader()))
        .isInstanceOf(XdsDiscoveryProvider.class);
  }

  @Test
  void reconnectDelaysGrowBySixtyPercentWithJitterUpToTheCap() {
    Backoff b = new Backoff(Duration.ofSeconds(1), 1.6, Duration.ofSeconds(2));
    java.util.Random random = new java.util.Random(1);
    assertThat(b.delayMillis(1, random)).isBetween(800L, 1200L);
    assertThat(b.delayMillis(2, random)).isBetween(1280L, 1920L);
    assertThat(b.delayMillis(5, random)).isBetween(1600L, 2400L);
    assertThat(Backoff.DEFAULT.delayMillis(30, random)).isBetween(96_000L, 144_000L);
  }
}
