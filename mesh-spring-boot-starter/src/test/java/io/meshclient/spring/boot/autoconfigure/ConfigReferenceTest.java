package io.meshclient.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README reference and the IDE metadata are what the declarations generate. When a key, a default or
 * a doc changes, this fails until the documented command rewrites them (the install first: this module reads
 * the declarations from the installed core and discovery jars):
 * {@code mvn -B -pl mesh-spring-boot-starter -am install -DskipTests && mvn -B -pl mesh-spring-boot-starter test
 * -Dtest=ConfigReferenceTest -Dmesh.config-reference.write=true}.
 */
class ConfigReferenceTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path METADATA = Path.of("src/main/resources/META-INF/additional-spring-configuration-metadata.json");
  private static final String HOW = "out of date with the declared keys: run mvn -B -pl mesh-spring-boot-starter -am "
      + "install -DskipTests && mvn -B -pl mesh-spring-boot-starter test -Dtest=ConfigReferenceTest "
      + "-Dmesh.config-reference.write=true";

  private final ConfigReference reference = new ConfigReference(getClass().getClassLoader());

  @Test
  void theReadmeReferenceIsTheGeneratedOne() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    String generated = reference.updateReadme(readme);
    if (Boolean.getBoolean("mesh.config-reference.write")) {
      Files.writeString(README, generated, StandardCharsets.UTF_8);
      readme = generated;
    }
    assertThat(readme).as("README.md " + HOW).isEqualTo(generated);
  }

  @Test
  void theIdeMetadataIsTheGeneratedOne() throws Exception {
    String generated = reference.metadataJson();
    if (Boolean.getBoolean("mesh.config-reference.write")) {
      Files.writeString(METADATA, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(METADATA, StandardCharsets.UTF_8)).as(METADATA + " " + HOW).isEqualTo(generated);
  }

  @Test
  void everyDeclaredKeyHasARowWithItsDefault() {
    String tables = String.join("\n", reference.readmeRegions().values());
    assertThat(tables).contains("| `mesh.defaults.timeout` | `10s` |",
        "| `mesh.services.<service>.retry.attempts` | `2` |",
        "| `mesh.services.<service>.routes[i].retry.per-try-timeout` | — |",
        "| `mesh.discovery.static.services.<service>[i].weight` | `1` |",
        "| `mesh.discovery.consul.wait` | `55s` |",
        "| `mesh.discovery.xds.initial-wait` | `10s` | how long building the mesh waits for the listed services' "
            + "first configuration; 0 to 5m |",
        "| `mesh.discovery.xds.reconnect.multiplier` | `1.6` | growth of each next reconnect delay; 1 to 10 |",
        "| `mesh.discovery.kubernetes.pod-labels` | `[version]` |",
        "| `mesh.discovery.kubernetes.first-sync-wait` | `2s` | how long `watch()` waits for the first list; 0 to 1m |");
  }
}
