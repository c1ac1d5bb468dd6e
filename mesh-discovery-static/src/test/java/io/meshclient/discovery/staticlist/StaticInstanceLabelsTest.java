package io.meshclient.discovery.staticlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import org.junit.jupiter.api.Test;

/**
 * A label, id or zone that is not a plain value is refused naming its key: it used to become the text
 * {@code "null"} or {@code "[a, b]"}, so a subset selecting {@code version: v1} silently matched nothing.
 */
class StaticInstanceLabelsTest {
  private static Mesh build(String instance) {
    return Mesh.builder().config(MeshConfig.fromYaml("""
        mesh:
          discovery: { static: { services: { reviews: [ %s ] } } }
        """.formatted(instance), name -> null)).build();
  }

  @Test
  void anEmptyListOrBlockLabelValueIsRefusedNamingTheLabel() {
    assertThatThrownBy(() -> build("{ url: \"http://127.0.0.1:9081\", metadata: { version: , zone: [a, b], "
        + "team: { x: 1 } } }"))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.static.services.reviews[0].metadata.version: empty (expected: a label value such as v2)",
            "mesh.discovery.static.services.reviews[0].metadata.zone: [a, b] (expected: a label value such as v2)",
            "mesh.discovery.static.services.reviews[0].metadata.team: {x=1} (expected: a label value such as v2)"));
  }

  @Test
  void anEmptyOrStructuredIdAndAListZoneAreRefused() {
    assertThatThrownBy(() -> build("{ url: \"http://127.0.0.1:9081\", id: '', zone: [a] }"))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.static.services.reviews[0].id:  (expected: a non-empty instance id (default: host:port))",
            "mesh.discovery.static.services.reviews[0].zone: [a] (expected: a zone name such as us-east-1a)"));
    assertThatThrownBy(() -> build("{ url: \"http://127.0.0.1:9081\", id: { a: 1 } }"))
        .hasMessage("mesh.discovery.static.services.reviews[0].id: {a=1} "
            + "(expected: a non-empty instance id (default: host:port))");
  }

  @Test
  void numbersAndBooleansAreLabelValuesAsWritten() {
    try (Mesh mesh = build("{ url: \"http://127.0.0.1:9081\", id: 7, zone: 1, metadata: { major: 2, canary: true } }")) {
      assertThat(mesh.instances("reviews")).singleElement().satisfies(i -> {
        assertThat(i.id()).isEqualTo("7");
        assertThat(i.zone()).isEqualTo("1");
        assertThat(i.metadata()).containsEntry("major", "2").containsEntry("canary", "true");
      });
    }
  }

  /** YAML reads 1.10 unquoted as the number 1.1: the label was "1.1", and a subset selecting "1.10" matched nothing. */
  @Test
  void aLabelValueWithAFractionIsRefusedAsYamlReadsIt() {
    assertThatThrownBy(() -> build("{ url: \"http://127.0.0.1:9081\", metadata: { version: 1.10, build: 2.0 } }"))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.discovery.static.services.reviews[0].metadata.version: 1.1 (expected: text, quoted in YAML: "
                + "unquoted, 1.10 is read as the number 1.1)",
            "mesh.discovery.static.services.reviews[0].metadata.build: 2.0 (expected: text, quoted in YAML: "
                + "unquoted, 1.10 is read as the number 1.1)"));
  }
}
