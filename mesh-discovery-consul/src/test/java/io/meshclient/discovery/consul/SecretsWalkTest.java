package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.config.MeshConfig;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plants secrets (an ACL token, URL user info, key-store passwords, an authorization header value) in a
 * configuration and walks the {@code toString()} of every config record, settings object and exception
 * reachable from it: none of them shows a secret.
 */
class SecretsWalkTest {
  private static final List<String> SECRETS = List.of("t0k3n-PLANTED", "p4ss-PLANTED", "ks-PLANTED", "ts-PLANTED",
      "bearer-PLANTED");
  private static final String YAML = """
      mesh:
        discovery:
          consul:
            url: "https://consul.internal:8501"
            acl-token: "t0k3n-PLANTED"
            tls: { trust-store-password: "ts-PLANTED", key-store-password: "ks-PLANTED" }
          static:
            services:
              reviews: [ { url: "http://admin:p4ss-PLANTED@127.0.0.1:9081" } ]
        services:
          reviews:
            discovery: static
            subsets: { v1: {} }
            routes:
              - match: { headers: { authorization: { exact: "Bearer bearer-PLANTED" } } }
                to: v1
      """;

  @Test
  void noToStringOfAConfigurationOrSettingsObjectShowsASecret(@TempDir Path dir) throws Exception {
    Path trustStore = Files.writeString(dir.resolve("trust.p12"), "");
    Path keyStore = Files.writeString(dir.resolve("key.p12"), "");
    MeshConfig config = MeshConfig.fromYaml(YAML, name -> null);
    List<String> shown = new ArrayList<>();
    walk(config, shown, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    ConsulDiscoverySettings settings = ConsulDiscoverySettings.builder().url(URI.create("https://consul.internal:8501"))
        .aclToken("t0k3n-PLANTED").tls(new ConsulDiscoverySettings.Tls(null, trustStore, "ts-PLANTED", keyStore,
            "ks-PLANTED")).build();
    walk(settings, shown, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    assertThat(shown).hasSizeGreaterThan(8).noneMatch(SecretsWalkTest::hasSecret);
  }

  @Test
  void noExceptionAboutASecretShowsIt() {
    List<String> messages = new ArrayList<>();
    for (String bad : List.of(
        YAML.replace("acl-token: \"t0k3n-PLANTED\"", "acl-token: \"t0k3n-PLANTED with space\"\n      wait: -1s"),
        YAML.replace("https://consul.internal:8501", "https://user:p4ss-PLANTED@consul.internal:8501")
            .replace("subsets: { v1: {} }", "subsets: { v1: {} }\n      timeout: never"),
        YAML.replace("url: \"http://admin", "weight: -1\n                  url: \"http://admin")
            .replace("to: v1", "to: v2"),
        YAML.replace("tls: {", "tls: { passwrd: \"ks-PLANTED\",").replace("to: v1", "to: v2"))) {
      try { // a bad core key too: discovery settings are checked with the rest when the rest is refused
        MeshConfig.fromYaml(bad.replace("discovery: static", "discovery: static\n      timeout: never"), name -> null);
        throw new AssertionError("accepted: " + bad);
      } catch (ConfigurationException e) {
        messages.add(e.toString());
        messages.addAll(e.problems());
      }
    }
    assertThat(messages).hasSizeGreaterThan(4).noneMatch(SecretsWalkTest::hasSecret);
  }

  private static boolean hasSecret(String text) {
    return SECRETS.stream().anyMatch(text::contains);
  }

  /** Adds the toString of {@code value} and of everything reachable through record components, maps and lists. */
  private static void walk(Object value, List<String> shown, Set<Object> seen) {
    if (value == null || !seen.add(value)) {
      return;
    }
    if (value.getClass().isRecord()) { // the raw discovery maps hold the values as given; their owners must not show them
      shown.add(value.getClass().getSimpleName() + ": " + value);
    }
    if (value instanceof Map<?, ?> map) {
      map.values().forEach(v -> walk(v, shown, seen));
    } else if (value instanceof Collection<?> items) {
      items.forEach(v -> walk(v, shown, seen));
    } else if (value.getClass().isRecord()) {
      for (RecordComponent component : value.getClass().getRecordComponents()) {
        try {
          walk(component.getAccessor().invoke(value), shown, seen);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
    }
  }
}
