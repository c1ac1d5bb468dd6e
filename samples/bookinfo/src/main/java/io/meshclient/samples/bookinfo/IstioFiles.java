package io.meshclient.samples.bookinfo;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.config.IstioOptions;
import io.meshclient.core.config.IstioReport;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The Istio files of Bookinfo's Istio mode, as the launcher sees them: it reads the directory, checks a
 * version by building a mesh from it (the same loader the services' meshes use, so the same messages),
 * describes what a version does, and tells when every calling service has applied it. The services'
 * meshes watch the directory themselves; this class only reports.
 */
final class IstioFiles {
  /** Every Bookinfo service with its versions, so that any host the files name is known; never called. */
  private static final MeshConfig ALL_SERVICES = MeshConfig.fromYaml("""
      mesh:
        discovery:
          static:
            services:
              details:
                - { url: "http://127.0.0.1:9" }
              reviews:
                - { url: "http://127.0.0.1:9", metadata: { version: v1 } }
                - { url: "http://127.0.0.1:10", metadata: { version: v2 } }
                - { url: "http://127.0.0.1:11", metadata: { version: v3 } }
              ratings:
                - { url: "http://127.0.0.1:9", metadata: { version: v1 } }
      """, name -> null);
  /** The services whose routes the Bookinfo files set, and the services whose meshes read the files. */
  static final List<String> ROUTED = List.of("reviews", "ratings");
  static final List<String> READERS = List.of("productpage", "reviews-v1", "reviews-v2", "reviews-v3");

  private final Path directory;

  IstioFiles(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  Path directory() {
    return directory;
  }

  /**
   * The {@code *.yaml} and {@code *.yml} files of the directory and their contents, by name; an unreadable
   * directory as an empty map (the next read tells again).
   */
  Map<String, byte[]> read() {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList()) {
        out.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    } catch (IOException | UncheckedIOException e) {
      return Map.of();
    }
    return out;
  }

  /** Whether two reads hold the same files with the same contents. */
  static boolean same(Map<String, byte[]> a, Map<String, byte[]> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    return a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
  }

  /**
   * What the files in the directory now make: the load report and the routes of reviews and ratings.
   *
   * @param report the loader's report: files, resources applied and ignored, unsupported fields
   * @param routes the routes of reviews and ratings (empty: to all instances)
   */
  record Version(IstioReport report, Map<String, List<RouteConfig>> routes) {
    /** The report as printed at start-up and on each change. */
    String render() {
      StringBuilder out = new StringBuilder();
      out.append("  files:       ").append(String.join(", ", report.files().stream()
          .map(f -> Path.of(f).getFileName().toString()).toList())).append('\n');
      out.append("  applied:     ").append(report.applied().isEmpty() ? "nothing" : String.join(", ", report.applied()))
          .append('\n');
      routes.forEach((service, list) -> out.append(String.format("  %-12s %s%n", service + ":", describe(list))));
      out.append("  unsupported: ").append(report.unsupported().isEmpty() ? "none" : "").append('\n');
      report.unsupported().forEach(u -> out.append("    ").append(u).append('\n'));
      report.ignored().forEach(i -> out.append("  ignored:     ").append(i).append('\n'));
      return out.toString();
    }
  }

  /**
   * Loads the files now, as the services' meshes do.
   *
   * @throws ConfigurationException naming the file, resource and field of every problem
   */
  Version check() {
    try (Mesh mesh = Mesh.builder().config(ALL_SERVICES).istioConfig(directory)
        .istioOptions(IstioOptions.DEFAULT).build()) {
      return new Version(mesh.istioReport(), routes(mesh));
    }
  }

  /** Whether every service that reads the files routes reviews and ratings as {@code version} says. */
  static boolean appliedBy(Bookinfo bookinfo, Version version) {
    return READERS.stream().allMatch(service -> routes(bookinfo.mesh(service)).equals(version.routes()));
  }

  private static Map<String, List<RouteConfig>> routes(Mesh mesh) {
    Map<String, List<RouteConfig>> out = new LinkedHashMap<>();
    for (String service : ROUTED) {
      ServiceConfig config = mesh.config().service(service);
      out.put(service, config == null ? List.of() : config.routes());
    }
    return out;
  }

  /** {@code end-user=jason -> v2 | -> v1}, one clause per route, in order. */
  static String describe(List<RouteConfig> routes) {
    if (routes.isEmpty()) {
      return "no route: every instance";
    }
    List<String> clauses = new ArrayList<>();
    for (RouteConfig r : routes) {
      StringBuilder c = new StringBuilder();
      r.match().headers().forEach((name, m) -> c.append(name).append(m.kind() == io.meshclient.core.config
          .StringMatch.Kind.EXACT ? "=" + m.value() : " " + m).append(' '));
      FaultConfig fault = r.fault();
      if (fault != null && fault.delayPercent() > 0) {
        c.append("delay ").append(fault.delay().toMillis()).append(" ms (").append(fault.delayPercent()).append("%) ");
      }
      if (fault != null && fault.abortPercent() > 0) {
        c.append("abort ").append(fault.abortStatus()).append(" (").append(fault.abortPercent()).append("%) ");
      }
      c.append("-> ").append(r.to() != null ? r.to() : !r.split().isEmpty() ? r.split() : r.destinations());
      clauses.add(c.toString());
    }
    return String.join(" | ", clauses);
  }
}
