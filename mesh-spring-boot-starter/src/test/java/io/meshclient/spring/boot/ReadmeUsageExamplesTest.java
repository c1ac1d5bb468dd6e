package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.Providers;

import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ByteArrayResource;
import org.yaml.snakeyaml.Yaml;

/**
 * The README's examples configure what they say with the discovery providers of this classpath: its
 * {@code # application.yml} block starts a Spring context with the starter (static discovery, as the README's
 * dependency list gives it), its {@code # mesh.yaml} block builds a plain {@link Mesh}, and its xDS block's
 * settings are what {@code mesh-discovery-xds} accepts. Core's {@code ReadmeYamlExamplesTest} checks that
 * every YAML block of the READMEs is one of the kinds it knows and reads as a mesh.yaml.
 */
class ReadmeUsageExamplesTest {
  /** Tests run in the module's folder; the README is at the repository root. */
  private static final Path README = Path.of("..", "README.md");

  /** The body of each {@code ```yaml} block of the README whose first line is {@code firstLine}. */
  private static List<String> blocks(String firstLine) throws Exception {
    return Pattern.compile("(?m)^```yaml\\n(" + Pattern.quote(firstLine) + "\\n.*?)^```$", Pattern.DOTALL)
        .matcher(Files.readString(README)).results().map(r -> r.group(1)).toList();
  }

  @Test
  void theApplicationYmlExampleStartsAnApplicationRoutingAsTheReadmeSays() throws Exception {
    String yaml = blocks("# application.yml").stream().reduce((a, b) -> {
      throw new AssertionError("one application.yml example expected");
    }).orElseThrow();
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withInitializer(context -> {
          try {
            new YamlPropertySourceLoader().load("application.yml",
                    new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8), "application.yml"))
                .forEach(context.getEnvironment().getPropertySources()::addFirst);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        })
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(Mesh.class);
          Mesh mesh = context.getBean(Mesh.class);
          assertThat(mesh.instances("reviews")).hasSize(2);
          assertReviewsAsTheReadmeSays(mesh.config().service("reviews"));
        });
  }

  @Test
  void theMeshYamlExampleBuildsAPlainMesh() throws Exception {
    List<String> examples = blocks("# mesh.yaml");
    assertThat(examples).hasSize(1);
    try (Mesh mesh = Mesh.builder().config(MeshConfig.fromYaml(examples.get(0), name -> null)).build()) {
      assertThat(mesh.instances("reviews")).extracting(i -> i.port() + " " + i.weight())
          .containsExactly("9081 1", "9082 2");
      assertReviewsAsTheReadmeSays(mesh.config().service("reviews"));
    }
  }

  /**
   * The xDS example (a block of its own, first line {@code mesh:}) names a bootstrap file that exists only in
   * an Istio pod: its settings are what the provider accepts, and the one problem off-pod is that file.
   */
  @Test
  void theXdsExampleHasOnlyTheBootstrapFileOfAnIstioPodAgainstIt() throws Exception {
    List<String> examples = blocks("mesh:");
    assertThat(examples).singleElement().asString().contains("xds:");
    @SuppressWarnings("unchecked")
    Map<String, Object> settings = (Map<String, Object>) ((Map<String, Map<String, Map<String, Object>>>)
        new Yaml().load(examples.get(0))).get("mesh").get("discovery").get("xds");
    String key = "mesh.discovery.xds";
    assertThatThrownBy(() -> Providers.discovery("xds", key, getClass().getClassLoader())
            .create(new DiscoveryContext(key, settings)).close())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.discovery.xds.bootstrap: /etc/istio/proxy/grpc-bootstrap.json (expected: a readable gRPC "
            + "xDS bootstrap file (NoSuchFileException))");
  }

  /** Both examples: subsets v1 and v2, a header route and an 80/20 split, 200/s with a burst of 50. */
  private static void assertReviewsAsTheReadmeSays(ServiceConfig reviews) {
    assertThat(reviews.subsets()).containsOnlyKeys("v1", "v2");
    assertThat(reviews.routes()).hasSize(2);
    assertThat(reviews.rateLimit().rateText()).isEqualTo("200/s");
    assertThat(reviews.rateLimit().burst()).isEqualTo(50);
  }
}
