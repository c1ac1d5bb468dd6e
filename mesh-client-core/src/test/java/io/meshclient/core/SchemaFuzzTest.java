package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.MeshException;
import io.meshclient.api.spi.Setting;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.MeshKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every number and duration key of the declared schema ({@link MeshKeys#ROOT}), given each edge value,
 * plus regexes with nested quantifiers and YAML alias bombs: each configuration is refused with problems
 * that name a key (or the file), or it applies and serves 100 calls on loopback with nothing thrown but
 * IOExceptions ({@link MeshException}s and transport failures). Never an exception from deep inside, an
 * {@code Error}, or a hang. Runs in its own JVM at {@code -Xmx256m} (surefire execution {@code config-fuzz}).
 */
@Timeout(90)
class SchemaFuzzTest {
  private static final Pattern NAMES_A_KEY = Pattern.compile("^(mesh([.\\[:]|$)|mesh\\.yaml: ).*", Pattern.DOTALL);
  private static final List<String> EDGES = List.of("0", "-1", "2147483647", "2147483648", "9223372036854775808",
      "18446744073709551621", "1e309", "999999999h", "999999999999999d", "1ms", "50%");
  private static final List<String> REGEXES = List.of("v[0-9]+(\\\\.[0-9]+)*", "(a+)+$", "(x*)*y", "((a|aa)+)+b",
      "(?<n>a)\\\\k<n>", "(?=a)a", "[", "a{1,99999}");
  /** The document every case is written into: one service with a route, so every block is reachable. */
  private static final String BASE = """
      mesh:
        services:
          api:
            subsets: { all: {} }
            routes:
              - to: all
                match: { headers: { x-version: { regex: "%s" } } }
                %s
            %s
        defaults:
          %s
      """;

  private int refused;
  private int applied;

  @Test
  void everyEdgeValueOfEveryDeclaredNumberIsRefusedByKeyOrServesCalls() throws Exception {
    List<String> cases = new ArrayList<>();
    for (String path : numericPaths(MeshKeys.ROOT, "")) {
      for (String edge : EDGES) {
        cases.add(document(path, edge, "v[0-9]+"));
      }
    }
    for (String regex : REGEXES) {
      cases.add(document("", "", regex));
    }
    cases.addAll(aliasBombs());
    SplittableRandom random = new SplittableRandom(2026);
    try (Backend backend = new Backend("b")) {
      for (String yaml : cases) {
        check(yaml, backend, random);
      }
    }
    System.out.printf("schema fuzz: %d cases, %d refused by key, %d applied and served 100 calls%n", cases.size(),
        refused, applied);
    assertThat(refused + applied).isEqualTo(cases.size());
    assertThat(applied).isGreaterThan(10);
  }

  private void check(String yaml, Backend backend, SplittableRandom random) throws IOException {
    MeshConfig config;
    try {
      config = MeshConfig.fromYaml(yaml, name -> null);
    } catch (ConfigurationException e) {
      assertThat(e.problems()).as(yaml).allMatch(p -> NAMES_A_KEY.matcher(p).matches());
      refused++;
      return;
    }
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(backend.instance("api", Map.of())));
    Mesh mesh;
    try {
      mesh = Mesh.builder().config(config).discovery("memory", discovery).random(random).build();
    } catch (ConfigurationException e) { // found by the mesh (a discovery, a balancer): still named
      assertThat(e.problems()).as(yaml).allMatch(p -> NAMES_A_KEY.matcher(p).matches());
      refused++;
      return;
    }
    try (mesh) {
      for (int i = 0; i < 100; i++) {
        Request request = new Request.Builder().url("http://api/items/" + i)
            .header("x-version", random.nextBoolean() ? "v1.2" : "aaaa").build();
        try (Response response = mesh.httpClient().newCall(request).execute()) {
          assertThat(response.code()).as(yaml).isBetween(200, 599);
        } catch (IOException expected) {
          // a MeshException (limit, breaker, no instance) or a transport failure: documented, and an IOException
        }
      }
    }
    applied++;
  }

  /** Dotted paths below {@code mesh} of every whole-number, decimal, percentage and duration setting. */
  private static List<String> numericPaths(Setting block, String prefix) {
    List<String> out = new ArrayList<>();
    block.children().forEach((name, s) -> {
      String path = prefix.isEmpty() ? name : prefix + "." + name;
      switch (s.type()) {
        case INTEGER, DECIMAL, PERCENT, DURATION -> out.add(path);
        default -> { }
      }
      out.addAll(numericPaths(s, path));
    });
    return out;
  }

  /** The base document with {@code value} at {@code path} (services.&lt;service&gt; is api, routes[i] the route). */
  private static String document(String path, String value, String regex) {
    String route = "";
    String service = "";
    String defaults = "timeout: 2s";
    if (path.startsWith("services.routes.")) {
      route = block(path.substring("services.routes.".length()), value);
    } else if (path.startsWith("services.")) {
      service = block(path.substring("services.".length()), value);
    } else if (path.startsWith("defaults.")) {
      defaults = block(path.substring("defaults.".length()), value);
    }
    return BASE.formatted(regex, route, service, defaults);
  }

  /** {@code a.b.c} = v as YAML flow blocks, with the siblings a block needs (a rate, fault percentages). */
  private static String block(String path, String value) {
    String[] parts = path.split("\\.");
    String text = parts[parts.length - 1] + ": " + value;
    for (int i = parts.length - 2; i >= 0; i--) {
      String extra = switch (parts[i]) {
        case "rate-limit" -> ", rate: 100/s";
        case "delay", "abort" -> ", percent: 0";
        default -> "";
      };
      text = parts[i] + ": { " + text + extra + " }";
    }
    return text;
  }

  private static List<String> aliasBombs() {
    StringBuilder lists = new StringBuilder("x0: &a0 [lol]\n");
    StringBuilder maps = new StringBuilder("y0: &b0 {k: v}\n");
    for (int i = 1; i <= 16; i++) {
      lists.append("x").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
          .append(i - 1).append(", *a").append(i - 1).append("]\n");
      maps.append("y").append(i).append(": &b").append(i).append(" {p: *b").append(i - 1).append(", q: *b")
          .append(i - 1).append(", r: *b").append(i - 1).append("}\n");
    }
    String deep = "[".repeat(5_000) + "]".repeat(5_000);
    return List.of("mesh:\n  services:\n    api:\n      subsets:\n" + lists.toString().indent(8),
        "mesh:\n  services:\n    api:\n      subsets:\n" + maps.toString().indent(8),
        "mesh:\n  services:\n    api:\n      subsets: " + deep + "\n");
  }
}
