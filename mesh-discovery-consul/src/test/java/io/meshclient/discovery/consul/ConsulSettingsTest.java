package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.Providers;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.discovery.consul.ConsulDiscoverySettings.Tls;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsulSettingsTest {
  private static final String KEY = "mesh.discovery.consul";

  private static ConsulDiscoverySettings read(Map<String, ?> settings) {
    return ConsulSettingsReader.read(KEY, new LinkedHashMap<>(settings));
  }

  private static String problemOf(Map<String, ?> settings) {
    try {
      read(settings);
    } catch (ConfigurationException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted " + settings);
  }

  @Test
  void providerIsFoundByNameConsul() {
    var provider = Providers.discovery("consul", "mesh.services.reviews.discovery",
        getClass().getClassLoader());

    assertThat(provider).isInstanceOf(ConsulDiscoveryProvider.class);
    assertThat(provider.name()).isEqualTo("consul");
    assertThat(Providers.discoveryNames(getClass().getClassLoader())).contains("consul");
  }

  @Test
  void providerRefusesBadSettingsBeforeStartingAnything() {
    var provider = Providers.discovery("consul", "mesh.services.reviews.discovery",
        getClass().getClassLoader());

    assertThatThrownBy(() -> provider.create(new DiscoveryContext(KEY, Map.of("wait", "forever"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.discovery.consul.wait: forever (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S)");
  }

  @Test
  void unsetKeysTakeTheirDefaults() {
    ConsulDiscoverySettings settings = read(Map.of());

    assertThat(settings).isEqualTo(ConsulDiscoverySettings.builder().build());
    assertThat(settings.url()).isEqualTo(URI.create("http://127.0.0.1:8500"));
    assertThat(settings.waitTime()).isEqualTo(Duration.ofSeconds(55));
    assertThat(settings.readTimeout()).isEqualTo(Duration.ofMillis(55_000 + 3_437 + 1_000).plusNanos(500_000));
    assertThat(settings.minInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.backoffInitial()).isEqualTo(Duration.ofSeconds(1));
    assertThat(settings.backoffMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.stale()).isFalse();
    assertThat(settings.datacenter()).isEmpty();
    assertThat(settings.aclToken()).isEmpty();
    assertThat(settings.tag()).isEmpty();
    assertThat(settings.tls()).isEqualTo(Tls.NONE);
  }

  @Test
  void everyKeyIsRead() {
    ConsulDiscoverySettings settings = read(Map.of("url", "http://consul.internal:8500", "datacenter", "dc2",
        "acl-token", "t0k3n", "wait", "30s", "stale", true, "tag", "canary", "min-interval", "100ms",
        "backoff", Map.of("initial", "200ms", "max", "1m")));

    assertThat(settings).isEqualTo(ConsulDiscoverySettings.builder()
        .url(URI.create("http://consul.internal:8500")).datacenter("dc2").aclToken("t0k3n")
        .waitTime(Duration.ofSeconds(30)).allowStaleReads().tag("canary").minInterval(Duration.ofMillis(100))
        .backoff(Duration.ofMillis(200), Duration.ofMinutes(1)).build());
  }

  @Test
  void nestedAndDottedKeysMeanTheSame() {
    assertThat(read(Map.of("backoff.initial", "2s", "backoff.max", "4s")))
        .isEqualTo(read(Map.of("backoff", Map.of("initial", "2s", "max", "4s"))));
  }

  /** Spring's relaxed spellings, as camelCase properties or environment variables (MESH_DISCOVERY_CONSUL_ACLTOKEN) give them. */
  @Test
  void relaxedSpellingsOfKeysAreRead() {
    assertThat(read(Map.of("aclToken", "t0k3n", "min_interval", "100ms", "backoff", Map.of("INITIAL", "2s"))))
        .isEqualTo(read(Map.of("acl-token", "t0k3n", "min-interval", "100ms", "backoff.initial", "2s")));
    assertThat(read(Map.of("acltoken", "t0k3n")).aclToken()).isEqualTo("t0k3n");
    assertThat(problemOf(new java.util.LinkedHashMap<>(Map.of("acl-token", "a")) {{ put("aclToken", "b"); }}))
        .isEqualTo("mesh.discovery.consul.aclToken: set twice (expected: one spelling of mesh.discovery.consul.acl-token)");
  }

  /** A Kubernetes secret imported with spring.config.import=configtree: arrives as a CharSequence, not a String. */
  @Test
  void valuesThatAreCharSequencesAreRead() {
    assertThat(read(Map.of("acl-token", new StringBuilder("t0k3n"), "wait", new StringBuilder("30s"))))
        .isEqualTo(read(Map.of("acl-token", "t0k3n", "wait", "30s")));
  }

  @Test
  void emptyTokenMeansNoToken() {
    // What "acl-token: ${CONSUL_TOKEN:}" gives when the variable is unset.
    assertThat(read(Map.of("acl-token", "")).aclToken()).isEmpty();
  }

  @Test
  void unreadableDurationNamesItsKey() {
    assertThat(problemOf(Map.of("wait", "10 minutes")))
        .isEqualTo("mesh.discovery.consul.wait: 10 minutes (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S)");
    assertThat(problemOf(Map.of("wait", 55)))
        .isEqualTo("mesh.discovery.consul.wait: 55 (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S)");
  }

  @Test
  void waitLongerThanConsulAllowsIsRefused() {
    assertThat(problemOf(Map.of("wait", "11m")))
        .isEqualTo("mesh.discovery.consul.wait: 11m (expected: between 1ms and 10m)");
  }

  @Test
  void builderValidatesWithTheSameMessages() {
    assertThatThrownBy(() -> ConsulDiscoverySettings.builder().waitTime(Duration.ZERO).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.discovery.consul.wait: 0ms (expected: between 1ms and 10m)");
  }

  @Test
  void unknownKeyIsRefusedListingTheKnownOnesWithoutItsValue() {
    assertThat(problemOf(Map.of("acl-tokn", "s3cr3t")))
        .isEqualTo("mesh.discovery.consul.acl-tokn: unknown key (expected: one of acl-token, "
            + "backoff.initial, backoff.max, datacenter, min-interval, stale, tag, tls.ca-file, "
            + "tls.key-store, tls.key-store-password, tls.trust-store, tls.trust-store-password, url, wait; did you mean 'acl-token'?)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("url", "ftp://127.0.0.1:8500");
    settings.put("stale", "yes");
    settings.put("backoff", Map.of("initial", "2s", "max", "500ms"));

    assertThat(problemOf(settings)).isEqualTo("3 configuration problems:\n"
        + "  mesh.discovery.consul.stale: yes (expected: true or false)\n"
        + "  mesh.discovery.consul.url: ftp://127.0.0.1:8500 (expected: " + SettingsRules.URL_EXPECTED + ")\n"
        + "  mesh.discovery.consul.backoff.max: 500ms (expected: at least backoff.initial, 2s)");
  }

  @Test
  void badTokenIsRefusedWithoutShowingIt() {
    String message = problemOf(Map.of("acl-token", "s3cr3t with space"));

    assertThat(message).isEqualTo(
        "mesh.discovery.consul.acl-token: <redacted> (expected: a token without whitespace or control characters)");
  }

  @Test
  void fileSettingsTakeAPathOrAFileLocation() {
    Path pom = Path.of("pom.xml").toAbsolutePath();
    String url = "https://127.0.0.1:8501";

    assertThat(read(Map.of("url", url, "tls", Map.of("ca-file", "file:" + pom))).tls().caFile()).isEqualTo(pom);
    assertThat(read(Map.of("url", url, "tls", Map.of("ca-file", pom.toString()))).tls().caFile()).isEqualTo(pom);
    assertThat(problemOf(Map.of("url", url, "tls.ca-file", "file:/etc/\0x")))
        .isEqualTo("mesh.discovery.consul.tls.ca-file: file:/etc/\\u0000x (expected: a file path)");
  }

  @Test
  void aTokenYamlReadAsANumberIsRefusedWithoutShowingIt() {
    assertThat(problemOf(Map.of("acl-token", 12345)))
        .isEqualTo("mesh.discovery.consul.acl-token: <redacted> (expected: a string, quoted in YAML)");
    assertThat(problemOf(Map.of("acl-token", 1000.0)))
        .isEqualTo("mesh.discovery.consul.acl-token: <redacted> (expected: a string, quoted in YAML)");
    assertThat(read(Map.of("acl-token", "12345")).aclToken()).isEqualTo("12345");
  }

  @Test
  void aStorePasswordReadAsANumberOrABooleanIsRefusedWithoutShowingIt() {
    String store = Path.of("pom.xml").toAbsolutePath().toString();
    for (String password : List.of("trust-store-password", "key-store-password")) {
      for (Object value : List.of(12345, 100000.0, new BigInteger("123456789012345678901"), true)) {
        Map<String, Object> tls = Map.of("trust-store", store, "key-store", store, password, value);
        assertThat(problemOf(Map.of("url", "https://127.0.0.1:8501", "tls", tls))).as(password + ": " + value)
            .isEqualTo("mesh.discovery.consul.tls." + password + ": <redacted> (expected: a string, quoted in YAML)");
      }
    }
    Tls quoted = read(Map.of("url", "https://127.0.0.1:8501", "tls", Map.of("trust-store", store,
        "trust-store-password", "012345", "key-store", store, "key-store-password", "1e5"))).tls();
    assertThat(quoted.trustStorePassword()).isEqualTo("012345");
    assertThat(quoted.keyStorePassword()).isEqualTo("1e5");
  }

  /**
   * YAML turns these unquoted passwords into 5349, a BigInteger and true: the old reader took their text, so the
   * store, which opens with the password as written, was reported as not opening with it. The mesh that applies
   * the configuration now refuses them, unshown, before it makes the discovery; quoted, they open the store.
   */
  @Test
  void storePasswordsWrittenUnquotedInTheMeshYamlAreRefusedWithoutShowingThem(@TempDir Path dir) throws Exception {
    for (String password : List.of("012345", "123456789012345678901", "yes")) {
      Path store = dir.resolve(password + ".p12");
      KeyStore empty = KeyStore.getInstance("PKCS12");
      empty.load(null, null);
      try (OutputStream out = Files.newOutputStream(store)) {
        empty.store(out, password.toCharArray());
      }
      String yaml = """
          mesh:
            discovery:
              consul:
                url: "https://127.0.0.1:8501"
                tls: { trust-store: "STORE", trust-store-password: PASSWORD }
          """.replace("STORE", store.toString());
      // Refused as the file is read (012345 and yes: YAML 1.1 reads them as 5349 and true) or as the mesh is built
      assertThatThrownBy(() -> Mesh.builder().config(MeshConfig.fromYaml(yaml.replace("PASSWORD", password),
          name -> null)).build().close()).as(password)
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("mesh.discovery.consul.tls.trust-store-password: <redacted> (expected: a string, quoted in YAML)");
      Mesh.builder().config(MeshConfig.fromYaml(yaml.replace("PASSWORD", '"' + password + '"'), name -> null))
          .build().close();
    }
  }

  @Test
  void urlWithUserInfoIsRefusedWithoutShowingIt() {
    assertThat(problemOf(Map.of("url", "http://admin:hunter2@127.0.0.1:8500")))
        .isEqualTo("mesh.discovery.consul.url: <redacted> (expected: a URL without user info; put the token "
            + "in acl-token)");
  }

  @Test
  void urlWithATokenInItsQueryIsRefusedWithoutShowingTheQuery() {
    assertThat(problemOf(Map.of("url", "http://127.0.0.1:8500/?token=s3cr3t")))
        .isEqualTo("mesh.discovery.consul.url: http://127.0.0.1:8500/?<redacted> (expected: "
            + SettingsRules.URL_EXPECTED + ")");
    assertThat(problemOf(Map.of("url", "http://127.0.0.1:8500/?token=s3 cr3t")))
        .isEqualTo("mesh.discovery.consul.url: http://127.0.0.1:8500/?<redacted> (expected: "
            + SettingsRules.URL_EXPECTED + ")");
  }

  @Test
  void urlWithAPortOutOfRangeIsRefused() {
    assertThat(problemOf(Map.of("url", "http://127.0.0.1:99999")))
        .isEqualTo("mesh.discovery.consul.url: http://127.0.0.1:99999 (expected: an http or https URL with a host, "
            + "a port from 1 to 65535 if any, and no query or fragment, such as http://127.0.0.1:8500)");
    assertThat(problemOf(Map.of("url", "http://127.0.0.1:0"))).startsWith("mesh.discovery.consul.url: http://127.0.0.1:0 ");
  }

  /** Lists elsewhere may be one comma-separated value; a tag with a comma would match no instance, silently. */
  @Test
  void aTagWithACommaIsRefusedAsNoListOfTags() {
    assertThat(problemOf(Map.of("tag", "primary,v2"))).isEqualTo("mesh.discovery.consul.tag: primary,v2 "
        + "(expected: one tag, without a comma: Consul filters on a single tag)");
    assertThat(read(Map.of("tag", "primary")).tag()).isEqualTo("primary");
  }

  @Test
  void datacenterMustBeAName() {
    assertThat(problemOf(Map.of("datacenter", "dc1&stale")))
        .isEqualTo("mesh.discovery.consul.datacenter: dc1&stale (expected: letters, digits, '.', '_' or '-')");
  }

  @Test
  void tlsSettingsNeedAnHttpsUrlAndReadableFiles() {
    assertThat(problemOf(Map.of("url", "https://127.0.0.1:8501", "tls", Map.of("ca-file", "/nonexistent/ca.pem"))))
        .isEqualTo("mesh.discovery.consul.tls.ca-file: /nonexistent/ca.pem (expected: a readable file)");
    assertThat(problemOf(Map.of("tls", Map.of("trust-store-password", "changeit"))))
        .isEqualTo("2 configuration problems:\n"
            + "  mesh.discovery.consul.tls: set for http://127.0.0.1:8500 (expected: TLS settings only with an "
            + "https url)\n"
            + "  mesh.discovery.consul.tls.trust-store-password: <redacted> (expected: only together with "
            + "tls.trust-store)");
  }

  @Test
  void toStringNeverShowsTheTokenOrPasswords() {
    ConsulDiscoverySettings settings = ConsulDiscoverySettings.builder().url(URI.create("https://127.0.0.1:8501"))
        .aclToken("s3cr3t-token").tls(new Tls(null, Path.of("pom.xml"), "p4ssw0rd", null, null)).build();

    assertThat(settings.toString())
        .doesNotContain("s3cr3t-token").doesNotContain("p4ssw0rd")
        .isEqualTo("ConsulDiscoverySettings[url=https://127.0.0.1:8501, datacenter=, aclToken=<redacted>, "
            + "tls=Tls[caFile=null, trustStore=pom.xml, trustStorePassword=<redacted>, keyStore=null, "
            + "keyStorePassword=null], waitTime=55s, stale=false, tag=, minInterval=250ms, backoffInitial=1s, "
            + "backoffMax=30s]");
  }
}
