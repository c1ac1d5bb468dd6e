package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every key of the README's configuration reference is known to IDEs: either as a property of the
 * metadata (generated from {@code MeshProperties} and merged with the hand-written file), or under a
 * map-valued property whose description names each nested key.
 */
class ConfigurationMetadataTest {
  /** The project's README, which holds the one configuration reference (tests run in the module's folder). */
  private static final Path README = Path.of("..", "README.md");
  private static final Pattern ROW = Pattern.compile("^\\| `((?:mesh|management)\\.[^`]+)` \\|", Pattern.MULTILINE);

  @Test
  void everyKeyOfTheReadmeReferenceHasMetadata() throws Exception {
    Map<String, JsonNode> metadata = metadata();
    List<String> keys = readmeKeys();
    assertThat(keys).hasSizeGreaterThan(30);
    List<String> missing = new ArrayList<>();
    for (String key : keys) {
      if (!described(key, metadata)) {
        missing.add(key);
      }
    }
    assertThat(missing).as("README keys without metadata").isEmpty();
  }

  @Test
  void everyScalarMeshPropertyInTheMetadataIsInTheReadme() throws Exception {
    List<String> keys = readmeKeys();
    metadata().forEach((name, property) -> {
      if (name.startsWith("mesh.") && !property.path("type").asText().startsWith("java.util.Map")) {
        assertThat(keys).as("README reference").contains(name);
      }
    });
  }

  @Test
  void scalarDefaultsInTheMetadataMatchTheReadme() throws Exception {
    String readme = Files.readString(README);
    assertThat(metadata().get("mesh.defaults.timeout").path("defaultValue").asText()).isEqualTo("10s");
    assertThat(readme).contains("| `mesh.defaults.timeout` | `10s` |")
        .contains("| `mesh.defaults.load-balancer` | `least-request` |")
        .contains("| `mesh.defaults.max-concurrent-requests` | `1024` |");
    assertThat(metadata().get("mesh.defaults.max-concurrent-requests").path("defaultValue").asInt()).isEqualTo(1024);
    JsonNode multiplier = metadata().get("mesh.discovery.xds.reconnect.multiplier");
    assertThat(multiplier.path("type").asText()).isEqualTo("java.lang.Double");
    assertThat(multiplier.path("defaultValue").isNumber()).isTrue();
    assertThat(multiplier.path("defaultValue").asDouble()).isEqualTo(1.6);
    assertThat(readme).contains("| `mesh.discovery.xds.reconnect.multiplier` | `1.6` |");
    JsonNode firstSyncWait = metadata().get("mesh.discovery.kubernetes.first-sync-wait");
    assertThat(firstSyncWait.path("type").asText()).isEqualTo("java.time.Duration");
    assertThat(firstSyncWait.path("defaultValue").asText()).isEqualTo("2s");
    assertThat(readme).contains("| `mesh.discovery.kubernetes.first-sync-wait` | `2s` |");
    JsonNode podLabels = metadata().get("mesh.discovery.kubernetes.pod-labels");
    assertThat(podLabels.path("type").asText()).isEqualTo("java.util.List<java.lang.String>");
    assertThat(podLabels.path("defaultValue").isArray()).isTrue();
    assertThat(podLabels.path("defaultValue").get(0).asText()).isEqualTo("version");
    assertThat(podLabels.path("defaultValue")).hasSize(1);
    assertThat(readme).contains("| `mesh.discovery.kubernetes.pod-labels` | `[version]` |");
  }

  private static boolean described(String key, Map<String, JsonNode> metadata) {
    if (metadata.containsKey(key)) {
      return true;
    }
    String map = null;
    for (Map.Entry<String, JsonNode> e : metadata.entrySet()) {
      boolean isMap = e.getValue().path("type").asText().startsWith("java.util.Map");
      if (isMap && key.startsWith(e.getKey() + ".") && (map == null || e.getKey().length() > map.length())) {
        map = e.getKey();
      }
    }
    if (map == null) {
      return false;
    }
    String description = metadata.get(map).path("description").asText();
    for (String word : key.substring(map.length() + 1).split("\\.")) {
      String name = word.replaceAll("<[^>]+>", "").replace("[i]", "");
      if (!name.isEmpty() && !description.contains(name)) {
        return false;
      }
    }
    return true;
  }

  private static List<String> readmeKeys() throws Exception {
    Matcher m = ROW.matcher(Files.readString(README));
    List<String> keys = new ArrayList<>();
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }

  private static Map<String, JsonNode> metadata() throws Exception {
    Map<String, JsonNode> properties = new LinkedHashMap<>();
    try (InputStream in = ConfigurationMetadataTest.class.getResourceAsStream(
        "/META-INF/spring-configuration-metadata.json")) {
      for (JsonNode property : new ObjectMapper().readTree(in).path("properties")) {
        properties.put(property.path("name").asText(), property);
      }
    }
    return properties;
  }
}
