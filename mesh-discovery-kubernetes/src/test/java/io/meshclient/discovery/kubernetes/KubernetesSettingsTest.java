package io.meshclient.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.Providers;
import io.meshclient.api.spi.ServiceDiscoveryProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Settings under mesh.discovery.kubernetes: every bad value named with its key, value and expectation. */
class KubernetesSettingsTest {
  static final String KEY = "mesh.discovery.kubernetes";

  @Test
  void settingsAreReadInRelaxedSpellingsWithTheDeclaredDefaults() {
    KubernetesDiscoverySettings s = KubernetesSettingsReader.read(KEY, Map.of("namespace", "bookinfo",
        "portName", "http", "pod-labels", "version,app"));
    assertThat(s.namespace()).isEqualTo("bookinfo");
    assertThat(s.portName()).isEqualTo("http");
    assertThat(s.podLabels()).containsExactly("version", "app");
    assertThat(s.firstSyncWait()).isEqualTo(Duration.ofSeconds(2)).isEqualTo(KubernetesKeys.FIRST_SYNC_WAIT.defaultDuration());
    assertThat(KubernetesSettingsReader.read(KEY, Map.of("first-sync-wait", "500ms")).firstSyncWait())
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void theKubeconfigIsAPathOrAFileLocation() {
    Path pom = Path.of("pom.xml").toAbsolutePath();

    assertThat(KubernetesSettingsReader.read(KEY, Map.of("kubeconfig", "file:" + pom)).kubeconfig()).isEqualTo(pom);
    assertThat(KubernetesSettingsReader.read(KEY, Map.of("kubeconfig", pom.toString())).kubeconfig()).isEqualTo(pom);
    assertThatThrownBy(() -> KubernetesSettingsReader.read(KEY, Map.of("kubeconfig", "file:/etc/\0x")))
        .hasMessage("mesh.discovery.kubernetes.kubeconfig: file:/etc/\\u0000x (expected: a file path)");
  }

  @Test
  void everyBadValueIsNamedWithItsKeyValueAndExpectation() {
    assertThatThrownBy(() -> KubernetesSettingsReader.read(KEY, Map.of("namespace", "Book_Info",
            "first-sync-wait", "2 minutes", "pod-labels", List.of("version", "version"), "namespaec", "x")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(KEY + ".namespace: Book_Info (expected: a namespace name (lower-case letters, digits, '-'))")
        .hasMessageContaining(KEY + ".first-sync-wait: 2 minutes (expected: ")
        .hasMessageContaining(KEY + ".pod-labels[1]: version (expected: each label key once)")
        .hasMessageContaining(KEY + ".namespaec: unknown key (expected: one of first-sync-wait, kubeconfig, "
            + "master-url, namespace, pod-labels, port-name");
    assertThatThrownBy(() -> KubernetesSettingsReader.read(KEY, Map.of("first-sync-wait", "2m")))
        .hasMessageContaining(KEY + ".first-sync-wait: 2m (expected: between 0ms and 1m)");
  }

  @Test
  void aMasterUrlWithUserInfoIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> KubernetesSettingsReader.read(KEY, Map.of("master-url", "https://admin:s3cr3t@10.0.0.1")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(KEY + ".master-url")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void aMasterUrlWithATokenInItsQueryIsRefusedWithoutShowingTheQuery() {
    assertThatThrownBy(() -> KubernetesSettingsReader.read(KEY, Map.of("master-url", "https://10.0.0.1:6443?token=s3cr3t")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(KEY + ".master-url: https://10.0.0.1:6443?<redacted> (expected: " + KubernetesSettingsRules.URL_EXPECTED
            + ")");
  }

  @Test
  void aMasterUrlWithAPortOutOfRangeIsRefused() {
    assertThatThrownBy(() -> KubernetesSettingsReader.read(KEY, Map.of("master-url", "https://10.0.0.1:99999")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(KEY + ".master-url: https://10.0.0.1:99999 (expected: an http or https URL with a host, a port from "
            + "1 to 65535 if any, and no user info, query or fragment)");
  }

  /** Kubernetes port names hold a letter: a port number given as port-name would match no slice, for ever. */
  @Test
  void aPortNumberGivenAsPortNameIsRefused() {
    assertThatThrownBy(() -> KubernetesSettingsReader.read(KEY, Map.of("port-name", 9080)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(KEY + ".port-name: 9080 (expected: a port name (up to 15 lower-case letters, digits, '-', at least "
            + "one letter), not a port number)");
    assertThat(KubernetesSettingsReader.read(KEY, Map.of("port-name", "http2")).portName()).isEqualTo("http2");
  }

  /** The expectation says what is wrong with the value given, not with another one. */
  @Test
  void anUpperCasePortNameAndATooLongNamespaceAreRefusedSayingWhy() {
    assertThatThrownBy(() -> KubernetesSettingsReader.read(KEY, Map.of("port-name", "HTTP")))
        .hasMessage(KEY + ".port-name: HTTP (expected: a port name (up to 15 lower-case letters, digits, '-', at least "
            + "one letter))");
    String longName = "a".repeat(64);
    assertThatThrownBy(() -> KubernetesSettingsReader.read(KEY, Map.of("namespace", longName)))
        .hasMessage(KEY + ".namespace: " + longName + " (expected: a namespace name of at most 63 characters)");
  }

  @Test
  void anEmptyKubeconfigIsRefusedSayingSo(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("config"), "\n");

    assertThatThrownBy(() -> new KubernetesDiscoveryProvider().create(
            new io.meshclient.api.spi.DiscoveryContext(KEY, Map.of("kubeconfig", empty.toString()))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(KEY + ".kubeconfig: " + empty + " (expected: a readable kubeconfig file (empty))");
  }

  /** This module's README starts with a mesh.yaml; its settings are what the provider reads. */
  @Test
  void theReadmeExampleIsReadAsItSays() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Matcher block = Pattern.compile("(?s)```yaml\n(mesh:\n.*?)```").matcher(readme);
    assertThat(block.find()).as("README.md's mesh.yaml block").isTrue();
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Map<String, Object>>> mesh =
        (Map<String, Map<String, Map<String, Object>>>) new Yaml().<Map<String, Object>>load(block.group(1)).get("mesh");
    @SuppressWarnings("unchecked")
    KubernetesDiscoverySettings s = KubernetesSettingsReader.read(KEY,
        (Map<String, Object>) mesh.get("discovery").get("kubernetes"));
    assertThat(s.namespace()).isEqualTo("bookinfo");
    assertThat(s.portName()).isEqualTo("http");
    assertThat(s.podLabels()).containsExactly("version");
  }

  @Test
  void theProviderIsFoundByName() {
    assertThat(Providers.discovery("kubernetes", KEY, getClass().getClassLoader()))
        .isInstanceOf(KubernetesDiscoveryProvider.class);
  }

  /**
   * The starter generates the reference and IDE metadata of these keys from {@code settings()} with this
   * module on its test class path but not fabric8 (whose Jackson 3 Boot's BOM would lower): the provider
   * must load and declare its keys without fabric8.
   */
  @Test
  void theProviderDeclaresItsKeysWithoutFabric8OnTheClassPath() {
    ClassLoader withoutFabric8 = new WithoutFabric8(getClass().getClassLoader());
    assertThatThrownBy(() -> Class.forName("io.fabric8.kubernetes.client.Config", false, withoutFabric8))
        .isInstanceOf(ClassNotFoundException.class);
    ServiceDiscoveryProvider provider = Providers.discovery("kubernetes", KEY, withoutFabric8);
    assertThat(provider.getClass().getClassLoader()).isSameAs(withoutFabric8);
    assertThat(provider.settings().name()).isEqualTo("kubernetes");
    assertThat(provider.settings().names()).containsExactlyInAnyOrderElementsOf(KubernetesKeys.NAMES);
  }

  /** Defines this package's classes itself, from the same class files, and finds no fabric8 class. */
  private static final class WithoutFabric8 extends ClassLoader {
    WithoutFabric8(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("io.fabric8.")) {
        throw new ClassNotFoundException(name);
      }
      if (!name.startsWith(KubernetesDiscoveryProvider.class.getPackageName() + ".")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded != null) {
          return loaded;
        }
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
          if (in == null) {
            throw new ClassNotFoundException(name);
          }
          byte[] bytes = in.readAllBytes();
          return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
          throw new ClassNotFoundException(name, e);
        }
      }
    }
  }
}
