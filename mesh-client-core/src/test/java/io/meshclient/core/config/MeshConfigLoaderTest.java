package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How mesh.yaml and JSON text becomes the raw tree: scalar types, placeholders, and what is refused. */
class MeshConfigLoaderTest {

  private static Map<String, Object> parse(String text) {
    return MeshConfigLoader.parseYaml(new StringReader(text), name -> name.equals("HOST") ? "10.0.0.7" : null,
        "test.yaml");
  }

  @Test
  void scalarsAreTypedAsSpringBootsYamlTypesThemAndEverythingElseIsText() {
    Map<String, Object> tree = parse("""
        int: 42
        big: 12345678901
        negative: -5
        float: 2.5
        thousand: 1_000
        date: 2026-11-27
        quoted-true: "true"
        quoted-number: '7'
        bool: true
        upper-bool: FALSE
        empty:
        tilde: ~
        rate: 200/s
        url: http://${HOST}:${PORT:8080}/
        """);
    assertThat(tree).containsEntry("int", 42).containsEntry("big", 12345678901L).containsEntry("negative", -5)
        .containsEntry("float", 2.5).containsEntry("thousand", 1000).containsEntry("date", "2026-11-27").containsEntry("quoted-true", "true").containsEntry("quoted-number", "7")
        .containsEntry("bool", true).containsEntry("upper-bool", false).containsEntry("empty", null)
        .containsEntry("tilde", null).containsEntry("rate", "200/s")
        .containsEntry("url", "http://10.0.0.7:8080/");
  }

  /**
   * The YAML 1.1 readings that change what was written are refused naming the key: {@code exact: NO} read as
   * the boolean false matched the header text "false", {@code 010} was 8. Keys are names, not values: {@code on:}
   * stays a key.
   */
  @Test
  void yaml11ReadingsThatChangeWhatWasWrittenAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> parse("""
        country: NO
        flag: on
        zip: 010
        mask: 0x1F
        bits: 0b11
        time: 1:30
        token: yes
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("country: NO (expected: true or false; YAML 1.1 reads NO unquoted as the boolean "
            + "false: write false, or \"NO\" for the text)")
        .hasMessageContaining("flag: on (expected: true or false; YAML 1.1 reads on unquoted as the boolean true")
        .hasMessageContaining("zip: 010 (expected: a decimal number; YAML 1.1 reads 010 unquoted as 8 (octal): "
            + "write 8, or \"010\" for the text)")
        .hasMessageContaining("mask: 0x1F (expected: a decimal number; YAML 1.1 reads 0x1F unquoted as 31 "
            + "(hexadecimal)")
        .hasMessageContaining("bits: 0b11 (expected: a decimal number; YAML 1.1 reads 0b11 unquoted as 3 (binary)")
        .hasMessageContaining("time: 1:30 (expected: a decimal number; YAML 1.1 reads 1:30 unquoted as 90 (base 60)")
        .hasMessageNotContaining("yes"); // a secret's value is never shown
    assertThat(parse("""
        country: "NO"
        zip: '010'
        zero: 0
        minus: -7
        on: [503]
        """)).containsEntry("country", "NO").containsEntry("zip", "010").containsEntry("zero", 0)
        .containsEntry("minus", -7).containsEntry("on", List.of(503));
  }

  /** In a route, the silent reading made a header match that could never match what was meant. */
  @Test
  void aYaml11BooleanInAHeaderMatchIsRefusedRatherThanMatchingTheTextFalse() {
    assertThatThrownBy(() -> MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets: { v2: { version: v2 } }
              routes:
                - match: { headers: { x-country: { exact: NO } } }
                  to: v2
        """, name -> null)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mesh.services.reviews.routes[0].match.headers.x-country.exact: NO (expected: true "
            + "or false; YAML 1.1 reads NO unquoted as the boolean false: write false, or \"NO\" for the text)");
  }

  @Test
  void listsAndBlocksKeepTheirOrder() {
    Map<String, Object> tree = parse("""
        b: [1, two, { c: 3 }]
        a: { z: 1, y: 2 }
        """);
    assertThat(tree.keySet()).containsExactly("b", "a");
    assertThat(tree.get("b")).isEqualTo(List.of(1, "two", Map.of("c", 3)));
    assertThat(List.copyOf(((Map<?, ?>) tree.get("a")).keySet())).isEqualTo(List.of("z", "y"));
  }

  @Test
  void invalidYamlNamesTheSourceAndLine() {
    assertThatThrownBy(() -> parse("""
        mesh:
          services:
            reviews: { timeout: 1s
          other: x
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("test.yaml: not valid YAML (")
        .hasMessageContaining(" at line 4)");
  }

  @Test
  void aDocumentThatIsNotABlockIsRefused() {
    assertThatThrownBy(() -> parse("- a\n- b\n"))
        .hasMessage("test.yaml: a list (expected: a document that is a block of settings)");
    assertThat(parse("")).isEmpty();
  }

  @Test
  void anAliasOfABlockItIsInIsRefusedNotFollowedForever() {
    assertThatThrownBy(() -> parse("""
        a: &loop
          b: *loop
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("a.b")
        .hasMessageContaining("an alias of a block it is in");
  }

  @Test
  void aJsonFileLoadsAndAYamlFileReportsTheFileName(@TempDir Path dir) throws Exception {
    Path json = Files.writeString(dir.resolve("mesh.json"),
        "{\"mesh\": {\"services\": {\"reviews\": {\"timeout\": \"3s\"}}}}");
    assertThat(MeshConfig.load(json).services().get("reviews").timeout()).isEqualTo(Duration.ofSeconds(3));
    Path tabs = Files.writeString(dir.resolve("tabs.json"),
        "{\n\t\"mesh\": {\n\t\t\"discovery\": {\"static\": {\"services\": {\"reviews\": "
            + "[{\"url\": \"http:\\/\\/127.0.0.1:9\"}]}}},\n\t\t\"services\": {\"reviews\": {\"timeout\": \"2s\"}}\n\t}\n}\n");
    assertThat(MeshConfig.load(tabs).services().get("reviews").timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(MeshConfigLoader.jsonAsYaml("{\"a\":\t\"x\\/y\\\\/z\\\"q\"}"))
        .isEqualTo("{\"a\": \"x/y\\\\/z\\\"q\"}");
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"mesh\": {\"services\": }");
    assertThatThrownBy(() -> MeshConfig.load(bad)).hasMessageStartingWith(bad + ": not valid JSON (");
  }

  /**
   * {@code subsets:} written as a list ({@code - v1: ...}) is named at {@code subsets}, told as a list (not
   * printed, as if its items were the block's contents), with what a subsets block is: as the starter says it
   * of application.yml (StartupFailureTest).
   */
  @Test
  void aListWhereTheSubsetsBlockBelongsIsToldAsAList() {
    assertThatThrownBy(() -> MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets:
                - v1: { version: v1 }
        """, name -> null))
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
            "mesh.services.reviews.subsets: a list (expected: a block of subsets by name, each a block of the labels "
                + "its instances carry, such as { v1: { version: v1 } })"));
  }

  /**
   * {@code subsets:} written at the service's own indentation, not under it: YAML reads a service named subsets
   * (and an empty reviews). The refusal named only {@code mesh.services.subsets.v1: unknown key}, listing the keys
   * a service has, which does not say that the line above is the one out of place.
   */
  @Test
  void aServiceSettingAtTheWrongIndentationIsSaidToBeReadAsAServiceOrASubset() {
    String yaml = """
        mesh:
          services:
            reviews:
            subsets: { v1: { version: v1 } }
            routes:
              - to: v1
        """;
    String indent = "(expected: a service name; %s is a service setting: indent it under the service it belongs to)";
    assertThatThrownBy(() -> MeshConfig.fromYaml(yaml, name -> null))
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).contains(
            "mesh.services.subsets: read as a service " + indent.formatted("subsets"),
            "mesh.services.routes: read as a service " + indent.formatted("routes")));
    // One level too deep: routes under subsets is read as a subset.
    assertThatThrownBy(() -> MeshConfig.fromYaml("""
        mesh:
          services:
            reviews:
              subsets:
                v1: { version: v1 }
                routes:
                  - to: v1
        """, name -> null))
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
            "mesh.services.reviews.subsets.routes: a list (expected: a block of settings)",
            "mesh.services.reviews.subsets.routes: read as a subset (expected: a subset name; routes is a service "
                + "setting: indent it as far as subsets)"));
    // A service may be named like a setting: the name alone is not refused.
    assertThat(MeshConfig.fromYaml("mesh: { services: { retry: { timeout: 2s } } }", name -> null)
        .service("retry").timeout()).isEqualTo(Duration.ofSeconds(2));
  }

  /**
   * YAML's merge key, which Spring Boot's application.yml reads (the same block works there), was refused in a
   * mesh.yaml as an unknown key {@code <<}. The block's own keys win; of a list of blocks, the first.
   */
  @Test
  void aMergeKeyTakesTheKeysOfTheMergedBlocksThatTheBlockDoesNotSet() {
    MeshConfig config = MeshConfig.fromYaml("""
        mesh:
          services:
            ratings: &defaults { timeout: 2s, load-balancer: random, retry: { attempts: 3 } }
            reviews:
              <<: *defaults
              timeout: 3s
            details:
              <<: [ { timeout: 4s }, *defaults ]
        """, name -> null);

    assertThat(config.service("reviews").timeout()).hasSeconds(3);
    assertThat(config.service("reviews").retry().attempts()).isEqualTo(3);
    assertThat(config.service("reviews").loadBalancer()).isEqualTo(config.service("ratings").loadBalancer());
    assertThat(config.service("details").timeout()).hasSeconds(4);
    assertThat(config.service("details").loadBalancer()).isEqualTo(config.service("ratings").loadBalancer());
  }

  @Test
  void aMergeOfAScalarOrOfABlockIntoItselfIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> MeshConfig.fromYaml("""
        mesh:
          services:
            x: &five 5
            reviews: { <<: *five }
            ratings: &self
              timeout: 2s
              <<: *self
        """, name -> null)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
            .containsExactly(
                "mesh.services.reviews.<<: 5 (expected: a block, or a list of blocks, to merge, such as <<: *defaults)",
                "mesh.services.ratings: an alias of a block it is in (expected: a value that ends)"));
  }
}
