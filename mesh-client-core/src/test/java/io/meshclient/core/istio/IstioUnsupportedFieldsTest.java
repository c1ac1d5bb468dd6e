package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.IstioOptions;
import io.meshclient.core.config.IstioReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's Istio table is the list of unsupported fields: every row marked unsupported is named in the
 * load report of a corpus that uses it, and a strict mesh refuses the corpus naming it.
 */
class IstioUnsupportedFieldsTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path CORPUS = Path.of("src", "test", "resources", "istio", "unsupported-corpus.yaml");
  private static final Pattern ROW = Pattern.compile("^\\| (\\w+) \\| `([^`]+)` \\| (.*) \\|$");

  record Row(String kind, String field, String status) {}

  static List<Row> table() throws Exception {
    String readme = Files.readString(README);
    String table = readme.substring(readme.indexOf("<!-- istio-table:start -->"),
        readme.indexOf("<!-- istio-table:end -->"));
    List<Row> rows = new ArrayList<>();
    for (String line : table.split("\n")) {
      Matcher m = ROW.matcher(line.trim());
      if (m.matches()) {
        rows.add(new Row(m.group(1), m.group(2), m.group(3)));
      }
    }
    return rows;
  }

  private static InMemoryDiscovery discovery() {
    InMemoryDiscovery d = new InMemoryDiscovery().callerZone("zone-a");
    for (String service : List.of("reviews", "ratings", "details")) {
      d.set(service, List.of(ServiceInstance.builder(service, "127.0.0.1", 1).metadata(Map.of("version", "v1"))
          .build()));
    }
    return d;
  }

  @Test
  void everyUnsupportedRowOfTheReadmeTableIsNamedInTheLoadReport() throws Exception {
    List<Row> unsupported = table().stream().filter(r -> r.status().startsWith("unsupported")).toList();
    assertThat(unsupported).hasSizeGreaterThan(40);
    try (Mesh mesh = Mesh.builder().istioConfig(CORPUS).discovery("memory", discovery()).build()) {
      IstioReport report = mesh.istioReport();
      for (Row row : unsupported) {
        assertThat(report.unsupported()).as(row.kind() + " " + row.field())
            .anyMatch(u -> u.resource().startsWith(row.kind() + " ") && u.schemaPath().equals(row.field()));
      }
      assertThat(mesh.config().service("reviews").routes()).as("routes that redirect, answer or delegate go to a "
          + "subset of no instance; a match block whose conditions the mesh cannot evaluate is left out")
          .extracting(r -> r.to()).containsExactly("istio.unroutable", "istio.unroutable", "istio.unroutable");
    }
  }

  @Test
  void theConnectionLimitsOkHttpLacksAreMarkedMappedOrUnsupported() throws Exception {
    for (String field : List.of("trafficPolicy.connectionPool.http.maxRequestsPerConnection",
        "trafficPolicy.connectionPool.tcp.maxConnections",
        "trafficPolicy.connectionPool.http.http1MaxPendingRequests")) {
      assertThat(table()).as(field).anyMatch(r -> r.field().equals(field)
          && (r.status().startsWith("unsupported") || r.status().startsWith("mapped to")));
    }
  }

  @Test
  void strictModeRefusesTheCorpusNamingEveryUnsupportedField() throws Exception {
    List<Row> unsupported = table().stream().filter(r -> r.status().startsWith("unsupported")).toList();
    assertThatThrownBy(() -> Mesh.builder().istioConfig(CORPUS).discovery("memory", discovery())
        .istioOptions(IstioOptions.DEFAULT.strictly()).build())
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> {
          String message = e.getMessage();
          assertThat(message).contains(CORPUS + ": DestinationRule default/reviews: "
              + "spec.trafficPolicy.connectionPool.http.maxRequestsPerConnection: set (expected: only fields the mesh "
              + "implements, since mesh.istio.strict is true (OkHttp has no per-connection request cap))");
          for (Row row : unsupported) {
            String last = row.field().substring(row.field().lastIndexOf('.') + 1).replace("[]", "");
            assertThat(message).as(row.kind() + " " + row.field()).contains(row.kind() + " ").contains(last);
          }
        });
  }
}
