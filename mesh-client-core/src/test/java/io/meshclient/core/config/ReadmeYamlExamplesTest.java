package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Every {@code ```yaml} example of the READMEs a newcomer follows (the root README and the discovery
 * modules' READMEs) loads as the README says it does. Each block is one of:
 * <ul>
 *   <li>an {@code application.yml} (first line {@code # application.yml}): loaded in a Spring context by the
 *       starter's {@code ReadmeApplicationYamlTest}, only counted here;</li>
 *   <li>Istio resources ({@code kind: VirtualService} / {@code DestinationRule} ...): built into a mesh with
 *       {@link Mesh.Builder#istioConfig} and a discovery that lists Bookinfo's services;</li>
 *   <li>Kubernetes RBAC manifests ({@code Role}, {@code RoleBinding} and their cluster-wide kinds): not mesh
 *       configuration; parsed and their kinds checked;</li>
 *   <li>a block whose first line is {@code # fragment}: part of a larger file, not loaded;</li>
 *   <li>a block whose first line is {@code # error: <message>}: a bad example, refused with exactly that
 *       message;</li>
 *   <li>anything else with a root {@code mesh:} key: a mesh.yaml, read by {@link MeshConfig#fromYaml}.</li>
 * </ul>
 * A block that is none of these fails the test, so a new example is never skipped silently. The discovery
 * providers are not on core's classpath, and MeshConfig asks them about their settings only when it refuses
 * the rest anyway: the examples' discovery settings are checked beside their providers (the starter's
 * {@code ReadmeUsageExamplesTest} for static and xds, {@code KubernetesSettingsTest} for kubernetes).
 */
class ReadmeYamlExamplesTest {
  /** Tests run in the module's folder; the READMEs are at the repository root and in its modules. */
  private static final Path ROOT = Path.of("..");
  private static final Pattern YAML_BLOCK = Pattern.compile("(?m)^( *)```yaml\\n(.*?)^\\1```$", Pattern.DOTALL);
  private static final Set<String> ISTIO_KINDS =
      Set.of("VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar");
  private static final Set<String> RBAC_KINDS = Set.of("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");

  enum Kind { APPLICATION_YML, MESH_YAML, ISTIO, RBAC, FRAGMENT, ERROR }

  record Block(Path readme, int line, String text) {
    String firstLine() {
      return text.lines().findFirst().orElse("").trim();
    }

    @Override
    public String toString() {
      return readme.normalize() + ":" + line + " (" + firstLine() + ")";
    }
  }

  /** The {@code ```yaml} blocks of {@code readme}, each with the line of its opening fence, indentation removed. */
  static List<Block> yamlBlocks(Path readme) throws IOException {
    String text = Files.readString(readme);
    List<Block> blocks = new ArrayList<>();
    Matcher m = YAML_BLOCK.matcher(text);
    while (m.find()) {
      int line = (int) text.substring(0, m.start()).lines().count() + 1;
      String indent = m.group(1);
      String body = m.group(2).lines().map(l -> l.startsWith(indent) ? l.substring(indent.length()) : l)
          .reduce("", (a, b) -> a + b + "\n");
      blocks.add(new Block(readme, line, body));
    }
    return blocks;
  }

  static List<Path> readmes() throws IOException {
    List<Path> readmes = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> modules = Files.list(ROOT)) {
      modules.filter(p -> p.getFileName().toString().startsWith("mesh-discovery-"))
          .map(p -> p.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(readmes::add);
    }
    return readmes;
  }

  static Kind kind(Block block) {
    String first = block.firstLine();
    if (first.equals("# application.yml")) {
      return Kind.APPLICATION_YML;
    }
    if (first.equals("# fragment")) {
      return Kind.FRAGMENT;
    }
    if (first.startsWith("# error: ")) {
      return Kind.ERROR;
    }
    List<String> kinds;
    try {
      kinds = kinds(block.text());
    } catch (org.yaml.snakeyaml.error.YAMLException e) {
      throw new AssertionError(block + ": not YAML; mark it '# fragment' if it is part of a file", e);
    }
    if (!kinds.isEmpty() && ISTIO_KINDS.containsAll(kinds)) {
      return Kind.ISTIO;
    }
    if (!kinds.isEmpty() && RBAC_KINDS.containsAll(kinds)) {
      return Kind.RBAC;
    }
    if (kinds.isEmpty() && block.text().lines().anyMatch(l -> l.equals("mesh:") || l.startsWith("mesh: "))) {
      return Kind.MESH_YAML;
    }
    throw new AssertionError(block + ": not an application.yml, mesh.yaml, Istio or RBAC example; "
        + "mark it '# fragment' or '# error: <message>' if it is not meant to load");
  }

  /** The {@code kind} of each document of {@code text}; empty for documents without one. */
  private static List<String> kinds(String text) {
    List<String> kinds = new ArrayList<>();
    for (Object document : new Yaml().loadAll(text)) {
      if (document instanceof Map<?, ?> map && map.get("kind") instanceof String kind) {
        kinds.add(kind);
      }
    }
    return kinds;
  }

  /** Bookinfo's services, v1 to v3 each, as a discovery would list them: the hosts Istio examples name. */
  private static InMemoryDiscovery bookinfo() {
    InMemoryDiscovery discovery = new InMemoryDiscovery();
    for (String service : List.of("productpage", "details", "reviews", "ratings")) {
      discovery.set(service, List.of("v1", "v2", "v3").stream().map(version -> ServiceInstance
          .builder(service, "127.0.0.1", 9080 + version.charAt(1) - '0').metadata(Map.of("version", version)).build())
          .toList());
    }
    return discovery;
  }

  @Test
  void everyYamlExampleOfTheReadmesLoadsAsTheReadmeSays(@TempDir Path dir) throws IOException {
    List<String> seen = new ArrayList<>();
    for (Path readme : readmes()) {
      for (Block block : yamlBlocks(readme)) {
        Kind kind = kind(block);
        seen.add(ROOT.relativize(readme) + " " + kind);
        switch (kind) {
          case MESH_YAML -> assertThatCode(() -> MeshConfig.fromYaml(block.text(), name -> null))
              .as(block.toString()).doesNotThrowAnyException();
          case ERROR -> assertThatThrownBy(() -> MeshConfig.fromYaml(block.text(), name -> null))
              .as(block.toString()).isInstanceOf(ConfigurationException.class)
              .hasMessage(block.firstLine().substring("# error: ".length()));
          case ISTIO -> {
            Path file = Files.writeString(dir.resolve("block-" + block.line() + ".yaml"), block.text());
            assertThatCode(() -> Mesh.builder().istioConfig(file).discovery("memory", bookinfo()).build().close())
                .as(block.toString()).doesNotThrowAnyException();
          }
          case RBAC, APPLICATION_YML, FRAGMENT -> {
            // RBAC is Kubernetes', not the mesh's; application.yml is loaded by the starter's test
          }
          default -> throw new AssertionError(kind);
        }
      }
    }
    // The examples this test was written against: a new one is welcome, a lost one is a mistake.
    assertThat(seen).containsExactly(
        "README.md APPLICATION_YML", "README.md MESH_YAML", "README.md MESH_YAML", "README.md RBAC",
        "mesh-discovery-kubernetes/README.md MESH_YAML", "mesh-discovery-kubernetes/README.md RBAC",
        "mesh-discovery-kubernetes/README.md RBAC");
  }
}
