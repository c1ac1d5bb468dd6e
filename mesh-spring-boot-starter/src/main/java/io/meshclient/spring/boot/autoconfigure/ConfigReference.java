package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.api.spi.Providers;
import io.meshclient.api.spi.ServiceDiscoveryProvider;
import io.meshclient.api.spi.Setting;
import io.meshclient.api.spi.SettingValues;
import io.meshclient.core.config.MeshKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Generates the documentation of every key from the declarations ({@link MeshKeys#ROOT}, the discovery
 * providers' {@link ServiceDiscoveryProvider#settings()} and the starter's own keys): the IDE metadata
 * ({@code additional-spring-configuration-metadata.json}) and the README's reference tables (between
 * {@code <!-- config-reference:NAME -->} and {@code <!-- /config-reference:NAME -->}). {@code
 * ConfigReferenceTest} fails while either is out of date; run it with {@code -Dmesh.config-reference.write=true}
 * to rewrite them (see the README).
 */
final class ConfigReference {
  /** Starter keys, not part of the mesh configuration. */
  static final Setting STARTER = Setting.block("mesh", "the starter",
      Setting.bool("enabled", true, "whether the starter creates a mesh, its clients and its actuator support "
          + "(`false`: the kill switch); a value other than a boolean fails start-up"),
      Setting.block("problem-details", "the refusal handler", Setting.bool("enabled", true, "whether a mesh refusal "
          + "a web handler lets escape becomes an RFC 9457 problem: 429 with Retry-After for a rate limit, 503 for "
          + "the other refusals (lowest precedence)")));
  static final Setting HEALTH = Setting.block("management.health.mesh", "the health indicator",
      Setting.bool("enabled", true, "whether to enable the mesh health indicator: DOWN when a service under "
          + "mesh.services has no instance"));

  private final Map<String, Setting> providers = new TreeMap<>();
  private final ClassLoader loader;

  ConfigReference(ClassLoader loader) {
    for (ServiceDiscoveryProvider p : ServiceLoader.load(ServiceDiscoveryProvider.class, loader)) {
      if (p.settings() != null) {
        providers.put(p.name(), p.settings());
      }
    }
    this.loader = loader;
  }

  /** The README table rows of region {@code mesh} (the mesh and {@code static} keys) or {@code discovery.NAME}. */
  Map<String, String> readmeRegions() {
    Map<String, String> regions = new TreeMap<>();
    List<String> mesh = new ArrayList<>();
    rows(STARTER.child("enabled"), "mesh.enabled", mesh);
    for (Setting s : MeshKeys.ROOT.children().values()) {
      rows(s, "mesh." + s.name(), mesh);
      if (s.name().equals("discovery") && providers.containsKey("static")) {
        rows(providers.get("static"), "mesh.discovery.static", mesh);
      }
    }
    regions.put("mesh", table(mesh));
    providers.forEach((name, settings) -> {
      if (!name.equals("static")) {
        List<String> rows = new ArrayList<>();
        rows(settings, "mesh.discovery." + name, rows);
        regions.put("discovery." + name, table(rows));
      }
    });
    return regions;
  }

  private static String table(List<String> rows) {
    return "| key | default | meaning |\n|---|---|---|\n" + String.join("\n", rows) + "\n";
  }

  private static void rows(Setting s, String key, List<String> out) {
    switch (s.type()) {
      case BLOCK -> s.children().forEach((name, child) -> rows(child, key + "." + name, out));
      case MAP, LABELS -> {
        String path = key + "." + s.placeholder();
        out.add(row(path, s));
        s.children().forEach((name, child) -> rows(child, path + "." + name, out));
      }
      case LIST -> s.children().forEach((name, child) -> rows(child, key + "[i]." + name, out));
      default -> {
        out.add(row(key, s));
        s.children().forEach((name, child) -> rows(child, key + "." + name, out));
      }
    }
  }

  private static String row(String key, Setting s) {
    String range = switch (s.type()) {
      case INTEGER -> "; " + s.min() + (s.max() == Long.MAX_VALUE ? " or more" : " to " + s.max());
      case PERCENT -> "; " + s.min() + "% to " + s.max() + "%";
      case DECIMAL -> "; " + SettingValues.formatDecimal(s.minDecimal()) + " to " + SettingValues.formatDecimal(s.maxDecimal());
      case DURATION -> "; " + format(s.min()) + " to " + format(s.max());
      default -> "";
    };
    String doc = s.doc() + range + (s.isSecret() ? "; secret: never shown" : "");
    return "| `" + key + "` | " + (s.defaultValue() == null ? "—" : "`" + s.defaultValue() + "`") + " | "
        + doc.replace("|", "\\|") + " |";
  }

  private static String format(long nanos) {
    return nanos == 0 ? "0" : Setting.formatBound(nanos);
  }

  /** The metadata JSON: a property per key with a fixed name, a map property per block of free names. */
  String metadataJson() {
    List<String> properties = new ArrayList<>();
    properties(STARTER, "mesh", properties);
    properties(MeshKeys.ROOT, "mesh", properties);
    providers.forEach((name, settings) -> properties(settings, "mesh.discovery." + name, properties));
    properties(HEALTH, "management.health.mesh", properties);
    StringBuilder hints = new StringBuilder();
    for (String balancer : Providers.loadBalancerNames(loader)) {
      hints.append(hints.length() == 0 ? "" : ",\n").append("        { \"value\": ").append(quote(balancer))
          .append(" }");
    }
    return "{\n  \"properties\": [\n" + String.join(",\n", properties) + "\n  ],\n  \"hints\": [\n"
        + "    {\n      \"name\": \"mesh.defaults.load-balancer\",\n      \"values\": [\n" + hints
        + "\n      ]\n    }\n  ]\n}\n";
  }

  private static void properties(Setting block, String key, List<String> out) {
    block.children().forEach((name, s) -> {
      String path = key + "." + name;
      switch (s.type()) {
        case BLOCK -> properties(s, path, out);
        case MAP, LABELS, LIST -> {
          List<String> nested = new ArrayList<>();
          s.children().forEach((childName, child) -> rows(child, childName, nested));
          StringBuilder names = new StringBuilder();
          for (String row : nested) {
            names.append(names.length() == 0 ? " Keys: " : ", ").append(row, 3, row.indexOf('`', 3));
          }
          out.add(property(path, s.type() == Setting.Type.LIST ? "java.util.List<java.util.Map<java.lang.String,"
              + "java.lang.Object>>" : "java.util.Map<java.lang.String,java.lang.Object>",
              s.doc() + "." + names, null));
        }
        default -> {
          out.add(property(path, javaType(s), s.doc(), jsonDefault(s)));
          if (!s.children().isEmpty()) {
            properties(s, path, out);
          }
        }
      }
    });
  }

  private static String javaType(Setting s) {
    return switch (s.type()) {
      case BOOLEAN -> "java.lang.Boolean";
      case INTEGER -> "java.lang.Integer";
      case DECIMAL -> "java.lang.Double";
      case DURATION -> "java.time.Duration";
      case TEXT_LIST -> "java.util.List<java.lang.String>";
      default -> "java.lang.String";
    };
  }

  /** The default as JSON: a boolean or number as is, a list as an array, else a string; null without one. */
  private static String jsonDefault(Setting s) {
    if (s.defaultValue() == null || s.defaultValue().contains("<")) {
      return null;
    }
    return switch (s.type()) {
      case BOOLEAN, INTEGER, DECIMAL -> s.defaultValue();
      case TEXT_LIST -> s.defaultList().stream().map(ConfigReference::quote)
          .collect(Collectors.joining(", ", "[", "]"));
      default -> quote(s.defaultValue());
    };
  }

  private static String property(String name, String type, String description, String jsonDefault) {
    String def = jsonDefault == null ? "" : ",\n      \"defaultValue\": " + jsonDefault;
    return "    {\n      \"name\": " + quote(name) + ",\n      \"type\": " + quote(type) + ",\n      \"description\": "
        + quote(description) + def + "\n    }";
  }

  private static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return out.append('"').toString();
  }

  /** {@code readme} with each region replaced by its generated table. */
  String updateReadme(String readme) {
    for (Map.Entry<String, String> region : readmeRegions().entrySet()) {
      String begin = "<!-- config-reference:" + region.getKey() + " -->\n";
      String end = "<!-- /config-reference:" + region.getKey() + " -->";
      int from = readme.indexOf(begin);
      int to = readme.indexOf(end);
      if (from < 0 || to < from) {
        throw new IllegalStateException("README.md: markers " + begin.trim() + " ... " + end + " (expected: present)");
      }
      readme = readme.substring(0, from + begin.length()) + region.getValue() + readme.substring(to);
    }
    return readme;
  }

  /** Rewrites the README and the metadata file: {@code args[0]} the README, {@code args[1]} the metadata. */
  public static void main(String[] args) throws IOException {
    ConfigReference reference = new ConfigReference(ConfigReference.class.getClassLoader());
    Path readme = Path.of(args[0]);
    Files.writeString(readme, reference.updateReadme(Files.readString(readme, StandardCharsets.UTF_8)));
    Files.writeString(Path.of(args[1]), reference.metadataJson());
  }
}
